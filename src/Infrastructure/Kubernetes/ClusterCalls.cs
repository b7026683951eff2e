using System.Net;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// How every applier talks to a cluster: server-side apply bodies, deletes that tolerate absence, and one
/// classification of failures: it did not answer (retry later) or it refused (with the API server's own message).
/// </summary>
public static class ClusterCalls
{
    public static V1Patch Apply(object body) => new(body, V1Patch.PatchType.ApplyPatch);

    public static async Task DeleteIfPresent(Func<Task> delete)
    {
        try { await delete(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
    }

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
        BrokenCircuitException broken => new ApplyOutcome(ApplyResult.Unreachable, CircuitOpen(broken)),
        _ when IsUnreachable(e) => new ApplyOutcome(ApplyResult.Unreachable, e.GetBaseException().Message),
        _ => null,
    };

    public static bool IsUnreachable(Exception e) =>
        e is HttpRequestException or TaskCanceledException or TimeoutException or IOException or TimeoutRejectedException or BrokenCircuitException ||
        e.InnerException is not null && IsUnreachable(e.InnerException);

    /// <summary>The cluster's circuit is open: it failed again and again just now, and is left alone for a moment.</summary>
    public static string CircuitOpen(BrokenCircuitException e) =>
        "The cluster failed repeatedly just now; Cocktail calls it again in a few seconds" +
        (e.InnerException is { } cause ? $" (last failure: {cause.GetBaseException().Message})." : ".");

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
