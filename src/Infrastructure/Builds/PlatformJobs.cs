using System.Net;
using Cocktail.Application.Builds;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Infrastructure.Builds;

/// <summary>How a Job Cocktail runs on the build cluster (a build, a scan) has ended, as far as the cluster says.</summary>
/// <param name="Terminated">The job container's last termination (its message is what the tool wrote there).</param>
/// <param name="FailedCondition">The Job's <c>Failed</c> condition, when it failed.</param>
public sealed record PlatformJobState(PlatformJobPhase Phase, V1ContainerStateTerminated? Terminated, V1JobCondition? FailedCondition)
{
    /// <summary>Why the Job failed: the tool's last lines when it wrote any, the Job's condition otherwise.</summary>
    public string FailureReason()
    {
        if (Terminated?.Message is { Length: > 0 } message) return PlatformJobs.LastLines(message);
        var condition = $"{FailedCondition?.Reason}: {FailedCondition?.Message}";
        return Terminated is { ExitCode: not 0 } ? $"exit code {Terminated.ExitCode} ({condition})" : condition;
    }
}

public enum PlatformJobPhase { Missing, Running, Succeeded, Failed }

/// <summary>
/// The Kubernetes side shared by the Jobs Cocktail runs on the build cluster: a namespace of its own, a
/// <c>kubernetes.io/dockerconfigjson</c> Secret beside each Job, the Job itself, reading how it ended, cleaning up.
/// </summary>
public static class PlatformJobs
{
    /// <summary>Creates the namespace, the Secret and the Job; a retry after an unanswered call finds what the first made, which is success.</summary>
    public static async Task StartAsync(IKubernetes client, string ns, V1Secret secret, V1Job job, CancellationToken ct)
    {
        await CreateIfMissing(() => client.CoreV1.CreateNamespaceAsync(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { [BuildNames.ManagedByLabel] = "cocktail" } },
        }, cancellationToken: ct));
        await CreateIfMissing(() => client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: ct));
        await CreateIfMissing(() => client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: ct));
    }

    private static async Task CreateIfMissing(Func<Task> create)
    {
        try { await create(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict) { }
    }

    /// <summary>A docker config Secret (<c>.dockerconfigjson</c>) with any other keys the Job needs.</summary>
    public static V1Secret DockerConfigSecret(string name, IDictionary<string, string> labels, string dockerConfigJson,
        IReadOnlyDictionary<string, string>? more = null)
    {
        var data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = System.Text.Encoding.UTF8.GetBytes(dockerConfigJson) };
        foreach (var (key, value) in more ?? new Dictionary<string, string>()) data[key] = System.Text.Encoding.UTF8.GetBytes(value);
        return new V1Secret { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, Type = "kubernetes.io/dockerconfigjson", Data = data };
    }

    /// <summary>The Job's state from its conditions, with the container's termination once it has ended.</summary>
    public static async Task<PlatformJobState> ObserveAsync(IKubernetes client, string ns, string jobName, string container, CancellationToken ct)
    {
        V1Job job;
        try { job = await client.BatchV1.ReadNamespacedJobAsync(jobName, ns, cancellationToken: ct); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return new PlatformJobState(PlatformJobPhase.Missing, null, null);
        }
        var conditions = job.Status?.Conditions ?? [];
        var complete = conditions.Any(c => c.Type == "Complete" && c.Status == "True");
        var failed = conditions.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True");
        if (!complete && failed is null) return new PlatformJobState(PlatformJobPhase.Running, null, null);
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={jobName}", cancellationToken: ct);
        var terminated = pods.Items.SelectMany(p => p.Status?.ContainerStatuses ?? []).Where(s => s.Name == container)
            .Select(s => s.State?.Terminated).LastOrDefault(t => t is not null);
        return new PlatformJobState(complete ? PlatformJobPhase.Succeeded : PlatformJobPhase.Failed, terminated, failed);
    }

    /// <summary>The last lines a tool printed (its error, usually), bounded.</summary>
    public static string LastLines(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var tail = string.Join("\n", lines.TakeLast(3));
        return tail.Length > 1000 ? tail[^1000..] : tail;
    }

    /// <summary>Removes the Secret and (unless kept for its log) the Job; what is already gone is fine.</summary>
    public static async Task CleanUpAsync(IKubernetes client, string ns, string jobName, string secretName, bool deleteJob, CancellationToken ct)
    {
        if (deleteJob)
            await Kubernetes.ClusterCalls.DeleteIfPresent(() => client.BatchV1.DeleteNamespacedJobAsync(jobName, ns, propagationPolicy: "Background", cancellationToken: ct));
        await Kubernetes.ClusterCalls.DeleteIfPresent(() => client.CoreV1.DeleteNamespacedSecretAsync(secretName, ns, cancellationToken: ct));
    }
}
