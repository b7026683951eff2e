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
        catch (Exception e) when (Classify(e) is { } outcome)
        {
            return outcome;
        }
    }

    /// <summary>
    /// What a failed call says about the cluster: it did not answer, or was overloaded or broken (5xx, 429: retry),
    /// or it refused (the Status message). Null for failures that are not the cluster's.
    /// </summary>
    public static ApplyOutcome? Classify(Exception e) => e switch
    {
        HttpOperationException http when (int)http.Response.StatusCode >= 500 || http.Response.StatusCode == HttpStatusCode.TooManyRequests =>
            new ApplyOutcome(ApplyResult.Unreachable, StatusMessage(http)),
        HttpOperationException http => new ApplyOutcome(ApplyResult.Refused, StatusMessage(http)),
        _ when IsUnreachable(e) => new ApplyOutcome(ApplyResult.Unreachable, e.GetBaseException().Message),
        _ => null,
    };

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
