using System.Net;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// How every applier talks to a cluster: server-side apply bodies, deletes that tolerate absence, and one
/// classification of failures: it did not answer (retry later) or it refused (with the API server's own message).
/// </summary>
public static class ClusterCalls
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static V1Patch Apply(object body) => new(body, V1Patch.PatchType.ApplyPatch);

    public static async Task DeleteIfPresent(Func<Task> delete)
    {
        try { await delete(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
    }

    public static Task<ApplyOutcome> GuardAsync(ClusterConnection cluster, Func<IKubernetes, Task<ApplyOutcome>> work) =>
        ClassifyAsync(async () =>
        {
            using var client = KubernetesClients.Create(cluster, Timeout);
            return await work(client);
        });

    /// <summary>Runs calls to a cluster and turns what went wrong into an outcome: unreachable (retry) or refused (say why).</summary>
    public static async Task<ApplyOutcome> ClassifyAsync(Func<Task<ApplyOutcome>> calls)
    {
        try
        {
            return await calls();
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode >= 500 || e.Response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return new ApplyOutcome(ApplyResult.Unreachable, StatusMessage(e));
        }
        catch (HttpOperationException e)
        {
            return new ApplyOutcome(ApplyResult.Refused, StatusMessage(e));
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            return new ApplyOutcome(ApplyResult.Unreachable, e.GetBaseException().Message);
        }
    }

    public static bool IsUnreachable(Exception e) =>
        e is HttpRequestException or TaskCanceledException or TimeoutException or IOException ||
        e.InnerException is not null && IsUnreachable(e.InnerException);

    /// <summary>The Status message the API server sent (what kubectl would print).</summary>
    public static string StatusMessage(HttpOperationException e)
    {
        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
            if (!string.IsNullOrEmpty(status?.Message)) return status.Message;
        }
        catch (System.Text.Json.JsonException) { }
        return $"{(int)e.Response.StatusCode} {e.Response.ReasonPhrase}";
    }
}
