using System.Text.Json.Nodes;
using Cocktail.Application.Builds;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Common;
using Cocktail.Infrastructure.Kubernetes;
using Cocktail.Infrastructure.Workloads;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static Cocktail.Infrastructure.Kubernetes.ClusterCalls;

namespace Cocktail.Infrastructure.Builds;

/// <summary>
/// Builds as Jobs on the build cluster: the Kaniko executor (or BuildKit rootless) with the push credential in a
/// <c>kubernetes.io/dockerconfigjson</c> Secret mounted where the builder reads its docker config, the digest written
/// to the termination message (<c>--digest-file=/dev/termination-log</c>).
/// </summary>
public sealed class BuildCluster(ClusterClientFactory clients) : IBuildCluster
{
    public const string Container = "build";
    public const string KanikoImage = "gcr.io/kaniko-project/executor:v1.23.2";
    public const string BuildKitImage = "moby/buildkit:v0.16.0-rootless";
    private const string TerminationLog = "/dev/termination-log";

    public async Task<ClusterOutcome> StartAsync(ClusterConnection cluster, BuildJob job, CancellationToken ct) =>
        await clients.GuardAsync(cluster, async client =>
        {
            await PlatformJobs.StartAsync(client, job.Namespace, Secret(job), Job(job), ct);
            return new ApplyOutcome(ApplyResult.Applied);
        });

    private static Dictionary<string, string> Labels(BuildJob job) => new()
    {
        [BuildNames.BuildLabel] = job.BuildId.ToString(), [BuildNames.WorkspaceLabel] = job.WorkspaceId.ToString(), [BuildNames.ManagedByLabel] = "cocktail",
    };

    private static V1Secret Secret(BuildJob job) => PlatformJobs.DockerConfigSecret(BuildNames.Secret(job.JobName), Labels(job), job.DockerConfigJson,
        job.Git is { } git ? new Dictionary<string, string> { ["git-username"] = git.UserName, ["git-password"] = git.Password } : null);

    /// <summary>Kaniko's git context: git://host/path#refs/heads/branch[#commit].</summary>
    public static string GitContext(BuildSource source, string? commit)
    {
        var url = source.GitUrl;
        foreach (var scheme in new[] { "https://", "http://" })
            if (url.StartsWith(scheme, StringComparison.Ordinal)) url = "git://" + url[scheme.Length..];
        var gitRef = source.Ref.StartsWith("refs/", StringComparison.Ordinal) ? source.Ref : $"refs/heads/{source.Ref}";
        return commit is null ? $"{url}#{gitRef}" : $"{url}#{gitRef}#{commit}";
    }

    private static V1Job Job(BuildJob job)
    {
        var secret = BuildNames.Secret(job.JobName);
        var kaniko = job.Source.Tool == BuildTool.Kaniko;
        var configDir = kaniko ? "/kaniko/.docker" : "/home/user/.docker";
        var env = new List<V1EnvVar>();
        if (job.Git is not null)
        {
            env.Add(FromSecret("GIT_USERNAME", secret, "git-username"));
            env.Add(FromSecret("GIT_PASSWORD", secret, "git-password"));
        }
        List<string> args;
        if (kaniko)
        {
            args = [$"--context={GitContext(job.Source, job.Commit)}", $"--dockerfile={job.Source.Dockerfile}", $"--destination={job.Image}",
                $"--digest-file={TerminationLog}"];
            if (job.Source.Context is not ("." or "")) args.Add($"--context-sub-path={job.Source.Context}");
            if (job.InsecureRegistry) args.Add("--insecure");
            args.AddRange(job.Source.BuildArgs.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"--build-arg={a.Key}={a.Value}"));
        }
        else
        {
            env.Add(new V1EnvVar { Name = "BUILDKITD_FLAGS", Value = "--oci-worker-no-process-sandbox" });
            env.Add(new V1EnvVar { Name = "DOCKER_CONFIG", Value = configDir });
            var gitContext = $"{job.Source.GitUrl}#{job.Commit ?? job.Source.Ref}{(job.Source.Context is "." or "" ? "" : ":" + job.Source.Context)}";
            args = ["build", "--frontend", "dockerfile.v0", "--opt", $"context={gitContext}", "--opt", $"filename={job.Source.Dockerfile}",
                "--output", $"type=image,name={job.Image},push=true{(job.InsecureRegistry ? ",registry.insecure=true" : "")}",
                $"--metadata-file={TerminationLog}"];
            foreach (var (key, value) in job.Source.BuildArgs.OrderBy(a => a.Key, StringComparer.Ordinal)) args.AddRange(["--opt", $"build-arg:{key}={value}"]);
        }
        var container = new V1Container
        {
            Name = Container, Image = kaniko ? KanikoImage : BuildKitImage, Args = args, Env = env,
            Command = kaniko ? null : ["buildctl-daemonless.sh"],
            TerminationMessagePath = TerminationLog, TerminationMessagePolicy = "FallbackToLogsOnError",
            Resources = new V1ResourceRequirements
            {
                Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(job.CpuLimit), ["memory"] = new(job.MemoryLimit) },
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("512Mi") },
            },
            VolumeMounts = [new V1VolumeMount { Name = "docker-config", MountPath = configDir, ReadOnlyProperty = true }],
        };
        return new V1Job
        {
            Metadata = new V1ObjectMeta { Name = job.JobName, Labels = Labels(job) },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                ActiveDeadlineSeconds = (long)job.Timeout.TotalSeconds,
                // Kept a day after it ends, so its log can be read.
                TtlSecondsAfterFinished = 86400,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Labels(job) },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        AutomountServiceAccountToken = false,
                        Containers = [container],
                        Volumes =
                        [
                            new V1Volume
                            {
                                Name = "docker-config",
                                Secret = new V1SecretVolumeSource { SecretName = secret, Items = [new V1KeyToPath { Key = ".dockerconfigjson", Path = "config.json" }] },
                            },
                        ],
                    },
                },
            },
        };
    }

    private static V1EnvVar FromSecret(string name, string secret, string key) => new()
    {
        Name = name, ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = key } },
    };

    public async Task<BuildJobObservation?> ObserveAsync(ClusterConnection cluster, string ns, string jobName, CancellationToken ct)
    {
        using var lease = clients.Lease(cluster);
        try
        {
            var state = await PlatformJobs.ObserveAsync(lease.Client, ns, jobName, Container, ct);
            return state.Phase switch
            {
                PlatformJobPhase.Missing => new BuildJobObservation(BuildJobPhase.Missing, null, null),
                PlatformJobPhase.Running => new BuildJobObservation(BuildJobPhase.Running, null, null),
                PlatformJobPhase.Succeeded => new BuildJobObservation(BuildJobPhase.Succeeded, Digest(state.Terminated?.Message), null),
                _ => new BuildJobObservation(BuildJobPhase.Failed, null, state.FailureReason()),
            };
        }
        catch (Exception e) when (Classify(e) is not null && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Kaniko's digest file is the digest; BuildKit's metadata file is JSON with containerimage.digest.</summary>
    public static string? Digest(string? message)
    {
        var text = message?.Trim();
        if (text is null) return null;
        if (text.StartsWith('{'))
        {
            try { text = JsonNode.Parse(text)?["containerimage.digest"]?.GetValue<string>(); }
            catch (System.Text.Json.JsonException) { return null; }
        }
        return text is not null && System.Text.RegularExpressions.Regex.IsMatch(text, "^sha256:[0-9a-f]{64}$") ? text : null;
    }

    public async Task<ClusterOutcome> CleanUpAsync(ClusterConnection cluster, string ns, string jobName, bool deleteJob, CancellationToken ct) =>
        await clients.GuardAsync(cluster, async client =>
        {
            await PlatformJobs.CleanUpAsync(client, ns, jobName, BuildNames.Secret(jobName), deleteJob, ct);
            return new ApplyOutcome(ApplyResult.Applied);
        });

    public async Task<(Stream? Log, string? Problem)> OpenLogAsync(ClusterConnection cluster, string ns, string jobName, bool follow, CancellationToken ct)
    {
        var lease = clients.Lease(cluster);
        try
        {
            var pods = await lease.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={jobName}", cancellationToken: ct);
            var pod = pods.Items.OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();
            if (pod is null)
            {
                lease.Dispose();
                return (null, "The build's pod is not on the cluster (yet, or any more).");
            }
            var stream = await lease.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns, container: Container, follow: follow, cancellationToken: ct);
            return (new WorkloadApplier.OwningStream(stream, lease), null);
        }
        catch (HttpOperationException e)
        {
            lease.Dispose();
            return (null, $"The cluster refused to send the log: {StatusMessage(e)}");
        }
        catch (Exception e) when (IsUnreachable(e) && !ct.IsCancellationRequested)
        {
            lease.Dispose();
            return (null, $"The build cluster does not answer: {e.GetBaseException().Message}");
        }
    }
}
