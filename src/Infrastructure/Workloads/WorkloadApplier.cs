using System.Net;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workloads;
using Cocktail.Domain.Workloads;
using Cocktail.Infrastructure.Kubernetes;
using Cocktail.Infrastructure.Reconciling;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static Cocktail.Infrastructure.Kubernetes.ClusterCalls;

namespace Cocktail.Infrastructure.Workloads;

/// <summary>
/// Applies a workload's objects with server-side apply (field manager "cocktail", forced) and deletes the parts
/// its spec no longer has. Only objects labelled with the workload's id are ever deleted.
/// </summary>
public sealed class WorkloadApplier(ClusterClientFactory clients) : IWorkloadApplier
{
    private const string Manager = ServiceMapManifest.FieldManager;

    /// <summary>Hands the replicas to the autoscaler without the cluster resetting them to 1 in between.</summary>
    private const string HandoverManager = "cocktail-handover";

    public Task<ApplyOutcome> ApplyAsync(ClusterConnection cluster, WorkloadManifest manifest, CancellationToken ct) =>
        clients.GuardAsync(cluster, async client =>
        {
            var objects = WorkloadObjects.For(manifest);
            var ns = manifest.Namespace;
            var name = manifest.Spec.Name;
            await ApplyWorkloadAsync(client, manifest, objects.Workload, ct);

            if (objects.Service is { } service)
                await client.CoreV1.PatchNamespacedServiceAsync(Apply(service), name, ns, fieldManager: Manager, force: true, cancellationToken: ct);
            else
                await DeleteOwnedAsync(manifest, () => client.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: ct),
                    () => client.CoreV1.DeleteNamespacedServiceAsync(name, ns, cancellationToken: ct));

            if (objects.Ingress is { } ingress)
                await client.NetworkingV1.PatchNamespacedIngressAsync(Apply(ingress), name, ns, fieldManager: Manager, force: true, cancellationToken: ct);
            else
                await DeleteOwnedAsync(manifest, () => client.NetworkingV1.ReadNamespacedIngressAsync(name, ns, cancellationToken: ct),
                    () => client.NetworkingV1.DeleteNamespacedIngressAsync(name, ns, cancellationToken: ct));

            if (objects.Autoscaler is { } autoscaler)
                await client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(Apply(autoscaler), name, ns, fieldManager: Manager, force: true, cancellationToken: ct);
            else
                await DeleteOwnedAsync(manifest, () => client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync(name, ns, cancellationToken: ct),
                    () => client.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync(name, ns, cancellationToken: ct));
            return new ApplyOutcome(ApplyResult.Applied);
        });

    private static async Task ApplyWorkloadAsync(IKubernetes client, WorkloadManifest manifest, IKubernetesObject<V1ObjectMeta> workload, CancellationToken ct)
    {
        var ns = manifest.Namespace;
        var name = manifest.Spec.Name;
        switch (workload)
        {
            case V1Deployment deployment:
                if (manifest.Spec.Autoscaler is not null)
                    await HandOverReplicasAsync(client, "apps/v1", "Deployment", name, ns,
                        async () => (await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct)).Spec.Replicas,
                        body => client.AppsV1.PatchNamespacedDeploymentAsync(body, name, ns, fieldManager: HandoverManager, force: true, cancellationToken: ct), ct);
                await client.AppsV1.PatchNamespacedDeploymentAsync(Apply(deployment), name, ns, fieldManager: Manager, force: true, cancellationToken: ct);
                break;
            case V1StatefulSet statefulSet:
                if (manifest.Spec.Autoscaler is not null)
                    await HandOverReplicasAsync(client, "apps/v1", "StatefulSet", name, ns,
                        async () => (await client.AppsV1.ReadNamespacedStatefulSetAsync(name, ns, cancellationToken: ct)).Spec.Replicas,
                        body => client.AppsV1.PatchNamespacedStatefulSetAsync(body, name, ns, fieldManager: HandoverManager, force: true, cancellationToken: ct), ct);
                await client.AppsV1.PatchNamespacedStatefulSetAsync(Apply(statefulSet), name, ns, fieldManager: Manager, force: true, cancellationToken: ct);
                break;
            case V1Job job:
                try
                {
                    await client.BatchV1.PatchNamespacedJobAsync(Apply(job), name, ns, fieldManager: Manager, force: true, cancellationToken: ct);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.UnprocessableEntity)
                {
                    if (!await IsOwnedAsync(manifest, () => client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: ct))) throw;
                    // A Job's pod template cannot change: a new revision replaces the Job (its pods go with it).
                    await client.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: "Background", cancellationToken: ct);
                    await client.BatchV1.PatchNamespacedJobAsync(Apply(job), name, ns, fieldManager: Manager, force: true, cancellationToken: ct);
                }
                break;
            case V1CronJob cronJob:
                await client.BatchV1.PatchNamespacedCronJobAsync(Apply(cronJob), name, ns, fieldManager: Manager, force: true, cancellationToken: ct);
                break;
        }
    }

    /// <summary>
    /// Server-side apply removes a field its manager stops sending, and replicas would fall back to 1. A second
    /// manager takes the current count first (the handover the Kubernetes documentation describes); the
    /// autoscaler changes it from there.
    /// </summary>
    private static async Task HandOverReplicasAsync(IKubernetes client, string apiVersion, string kind, string name, string ns,
        Func<Task<int?>> readReplicas, Func<V1Patch, Task> apply, CancellationToken ct)
    {
        int? replicas;
        try { replicas = await readReplicas(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return; }
        if (replicas is null) return;
        await apply(Apply(new Dictionary<string, object>
        {
            ["apiVersion"] = apiVersion, ["kind"] = kind,
            ["metadata"] = new Dictionary<string, object> { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new Dictionary<string, object> { ["replicas"] = replicas.Value },
        }));
        ct.ThrowIfCancellationRequested();
    }

    public Task<ApplyOutcome> RemoveAsync(ClusterConnection cluster, WorkloadManifest manifest, CancellationToken ct) =>
        clients.GuardAsync(cluster, async client =>
        {
            var ns = manifest.Namespace;
            var name = manifest.Spec.Name;
            await DeleteOwnedAsync(manifest, () => client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync(name, ns, cancellationToken: ct),
                () => client.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync(name, ns, cancellationToken: ct));
            await DeleteOwnedAsync(manifest, () => client.NetworkingV1.ReadNamespacedIngressAsync(name, ns, cancellationToken: ct),
                () => client.NetworkingV1.DeleteNamespacedIngressAsync(name, ns, cancellationToken: ct));
            await DeleteOwnedAsync(manifest, () => client.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: ct),
                () => client.CoreV1.DeleteNamespacedServiceAsync(name, ns, cancellationToken: ct));
            switch (manifest.Spec.Kind)
            {
                case WorkloadKind.Deployment:
                    await DeleteOwnedAsync(manifest, () => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct),
                        () => client.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, propagationPolicy: "Background", cancellationToken: ct));
                    break;
                case WorkloadKind.StatefulSet:
                    await DeleteOwnedAsync(manifest, () => client.AppsV1.ReadNamespacedStatefulSetAsync(name, ns, cancellationToken: ct),
                        () => client.AppsV1.DeleteNamespacedStatefulSetAsync(name, ns, propagationPolicy: "Background", cancellationToken: ct));
                    break;
                case WorkloadKind.Job:
                    await DeleteOwnedAsync(manifest, () => client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: ct),
                        () => client.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: "Background", cancellationToken: ct));
                    break;
                case WorkloadKind.CronJob:
                    await DeleteOwnedAsync(manifest, () => client.BatchV1.ReadNamespacedCronJobAsync(name, ns, cancellationToken: ct),
                        () => client.BatchV1.DeleteNamespacedCronJobAsync(name, ns, propagationPolicy: "Background", cancellationToken: ct));
                    break;
            }
            return new ApplyOutcome(ApplyResult.Applied);
        });

    public async Task<(Stream? Log, LogSourceProblem Problem, string? Message)> OpenLogAsync(ClusterConnection cluster, string ns, string pod,
        string? container, bool follow, int? tailLines, bool previous, CancellationToken ct)
    {
        // A followed log is open for as long as the reader wants it (the cluster's client sends it without a timeout),
        // and the lease on the client lives with the stream.
        var lease = clients.Lease(cluster);
        var client = lease.Client;
        try
        {
            var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: container, follow: follow, tailLines: tailLines,
                previous: previous, timestamps: false, cancellationToken: ct);
            return (new OwningStream(stream, lease), LogSourceProblem.None, null);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            lease.Dispose();
            return (null, LogSourceProblem.NoSuchPod, StatusMessage(e));
        }
        catch (HttpOperationException e)
        {
            lease.Dispose();
            return (null, LogSourceProblem.Refused, StatusMessage(e));
        }
        catch (Exception e) when (IsUnreachable(e) && !ct.IsCancellationRequested)
        {
            lease.Dispose();
            return (null, LogSourceProblem.Unreachable, e.GetBaseException().Message);
        }
    }

    private static async Task<bool> IsOwnedAsync<T>(WorkloadManifest manifest, Func<Task<T>> read) where T : IMetadata<V1ObjectMeta>
    {
        try
        {
            var existing = await read();
            return existing.Metadata?.Labels?.TryGetValue(WorkloadLabels.Workload, out var owner) == true && owner == manifest.WorkloadId.ToString();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Deletes an object only when it carries this workload's id (a same-named object made by hand is left alone).</summary>
    private static async Task DeleteOwnedAsync<T>(WorkloadManifest manifest, Func<Task<T>> read, Func<Task> delete) where T : IMetadata<V1ObjectMeta>
    {
        if (await IsOwnedAsync(manifest, read)) await DeleteIfPresent(delete);
    }

    /// <summary>Gives back the lease on the client that opened the stream together with the stream.</summary>
    internal sealed class OwningStream(Stream inner, IDisposable owner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
