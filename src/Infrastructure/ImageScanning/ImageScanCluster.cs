using System.Net;
using Cocktail.Application.Builds;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ImageScanning.Reports;
using Cocktail.Application.ImageScanning.Scanning;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Common;
using Cocktail.Infrastructure.Builds;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static Cocktail.Infrastructure.Kubernetes.ClusterCalls;

namespace Cocktail.Infrastructure.ImageScanning;

/// <summary>
/// Scans as Jobs on the build cluster: Trivy (<c>trivy image --format json --quiet</c>) with the pull credential in a
/// <c>kubernetes.io/dockerconfigjson</c> Secret mounted where Trivy reads its docker config (<c>$DOCKER_CONFIG</c>), the
/// report on stdout (the pod's log), the error's tail as termination message when it fails.
/// </summary>
public sealed class ImageScanCluster(ClusterClientFactory clients) : IImageScanCluster
{
    private const string ConfigDir = "/docker-config";
    private const string CacheDir = "/tmp/trivy-cache";

    public async Task<ClusterOutcome> StartAsync(ClusterConnection cluster, ScanJobSpec job, CancellationToken ct) =>
        await clients.GuardAsync(cluster, async client =>
        {
            await PlatformJobs.StartAsync(client, job.Namespace, Secret(job), Job(job), ct);
            return new ApplyOutcome(ApplyResult.Applied);
        });

    private static Dictionary<string, string> Labels(ScanJobSpec job) => new()
    {
        [ScanNames.ScanLabel] = job.ScanId.ToString(), [BuildNames.WorkspaceLabel] = job.WorkspaceId.ToString(), [BuildNames.ManagedByLabel] = "cocktail",
    };

    private static V1Secret Secret(ScanJobSpec job) => PlatformJobs.DockerConfigSecret(ScanNames.Secret(job.JobName), Labels(job), job.DockerConfigJson);

    /// <summary>The arguments of <c>trivy</c> (the image's entrypoint).</summary>
    public static List<string> Args(ScanJobSpec job)
    {
        var args = new List<string>
        {
            "image", "--format", "json", "--quiet", "--scanners", "vuln", "--db-repository", job.DbRepository, "--cache-dir", CacheDir,
            // Trivy's own timeout a little inside the Job's deadline, so that it says why rather than being killed.
            "--timeout", $"{Math.Max(60, (int)job.Timeout.TotalSeconds - 30)}s",
        };
        if (job.JavaDbRepository is { Length: > 0 } javaDb) args.AddRange(["--java-db-repository", javaDb]);
        if (job.InsecureRegistry) args.Add("--insecure");
        args.Add(job.ImageReference);
        return args;
    }

    private static V1Job Job(ScanJobSpec job)
    {
        var container = new V1Container
        {
            Name = ScanNames.Container, Image = job.ScannerImage, Args = Args(job),
            Env = [new V1EnvVar { Name = "DOCKER_CONFIG", Value = ConfigDir }],
            // Trivy prints its fatal error last; the log's tail becomes the termination message Cocktail reads.
            TerminationMessagePolicy = "FallbackToLogsOnError",
            Resources = new V1ResourceRequirements
            {
                Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(job.CpuLimit), ["memory"] = new(job.MemoryLimit) },
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("256Mi") },
            },
            VolumeMounts =
            [
                new V1VolumeMount { Name = "docker-config", MountPath = ConfigDir, ReadOnlyProperty = true },
                new V1VolumeMount { Name = "cache", MountPath = CacheDir },
            ],
        };
        return new V1Job
        {
            Metadata = new V1ObjectMeta { Name = job.JobName, Labels = Labels(job) },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                ActiveDeadlineSeconds = (long)job.Timeout.TotalSeconds,
                // Deleted by Cocktail once the report is stored; kept a day at most should that not happen.
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
                                Secret = new V1SecretVolumeSource
                                {
                                    SecretName = ScanNames.Secret(job.JobName), Items = [new V1KeyToPath { Key = ".dockerconfigjson", Path = "config.json" }],
                                },
                            },
                            new V1Volume { Name = "cache", EmptyDir = new V1EmptyDirVolumeSource() },
                        ],
                    },
                },
            },
        };
    }

    public async Task<ScanJobObservation?> ObserveAsync(ClusterConnection cluster, string ns, string jobName, CancellationToken ct)
    {
        using var lease = clients.Lease(cluster);
        try
        {
            var state = await PlatformJobs.ObserveAsync(lease.Client, ns, jobName, ScanNames.Container, ct);
            return state.Phase switch
            {
                PlatformJobPhase.Missing => new ScanJobObservation(ScanJobPhase.Missing, null),
                PlatformJobPhase.Running => new ScanJobObservation(ScanJobPhase.Running, null),
                PlatformJobPhase.Succeeded => new ScanJobObservation(ScanJobPhase.Succeeded, null),
                _ => new ScanJobObservation(ScanJobPhase.Failed, state.FailureReason()),
            };
        }
        catch (Exception e) when (Classify(e) is not null && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public async Task<ScanReportReading?> ReadReportAsync(ClusterConnection cluster, string ns, string jobName, string repository, string digest,
        DateTimeOffset scannedAt, TrivyReportLimits limits, CancellationToken ct)
    {
        using var lease = clients.Lease(cluster);
        try
        {
            var pods = await lease.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={jobName}", cancellationToken: ct);
            var pod = pods.Items.OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();
            if (pod is null) return ScanReportReading.Failed(ScanReportProblem.NotCompleteJson, "the scanner's pod is gone, and its report with it");
            // One byte more than allowed: a log that long is a report too large, not one cut at the limit that happens to parse.
            await using var log = await lease.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns, container: ScanNames.Container,
                limitBytes: (int)Math.Min(int.MaxValue, limits.MaxBytes + 1), cancellationToken: ct);
            return await TrivyReportReader.ReadAsync(log, repository, digest, scannedAt, limits, ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is not (HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError))
        {
            return ScanReportReading.Failed(ScanReportProblem.NotCompleteJson, $"the build cluster refused the scanner's log: {StatusMessage(e)}");
        }
        catch (Exception e) when (Classify(e) is not null && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public async Task<ClusterOutcome> CleanUpAsync(ClusterConnection cluster, string ns, string jobName, CancellationToken ct) =>
        await clients.GuardAsync(cluster, async client =>
        {
            await PlatformJobs.CleanUpAsync(client, ns, jobName, ScanNames.Secret(jobName), deleteJob: true, ct);
            return new ApplyOutcome(ApplyResult.Applied);
        });
}
