using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Application.Workloads;
using Cocktail.Application.Workloads.Deleting;
using Cocktail.Application.Workloads.Deploying;
using Cocktail.Application.Workloads.Listing;
using Cocktail.Application.Workloads.Reapplying;
using Cocktail.Application.Workloads.RollingBack;
using Cocktail.Application.Workloads.Scaling;
using Cocktail.Application.Workloads.Updating;
using Cocktail.Application.Workloads.Validating;
using Cocktail.Domain.Workloads;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>
/// A workload as the API takes it: its fields (`name`, `kind`, `replicas`, `containers`, `service`, `ingress`...)
/// or `yaml` with Kubernetes documents; both give the same spec.
/// </summary>
public sealed record WorkloadBody(
    string? Name, WorkloadKind? Kind, int? Replicas, string? Schedule, IReadOnlyList<ContainerSpec>? Containers, IReadOnlyList<Volume>? Volumes,
    bool? HostNetwork, bool? HostPid, bool? HostIpc, ServiceSpec? Service, IngressSpec? Ingress, AutoscalerSpec? Autoscaler,
    IReadOnlyDictionary<string, string>? Labels, string? Yaml, string? Reason, long? ExpectedRevision)
{
    public WorkloadSpec? Spec() => !string.IsNullOrWhiteSpace(Yaml) ? null : new WorkloadSpec(
        Name ?? "", Kind ?? WorkloadKind.Deployment, Containers ?? [], Replicas, Schedule, Volumes, HostNetwork ?? false, HostPid ?? false,
        HostIpc ?? false, Service, Ingress, Autoscaler, Labels);
}

public sealed record ScaleBody(int? Replicas, AutoscalerSpec? Autoscaler, string? Reason);
public sealed record RollbackBody(int Revision, string? Reason);

public static class WorkloadsEndpoints
{
    [WolverinePost("/api/v1/service-maps/{id}/workloads"), Tags("Workloads")]
    [ProducesResponseType<WorkloadView>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Deploy(Guid id, WorkloadBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var deployed = await dispatcher.SendAsync(new DeployWorkload(id, body.Spec(), body.Yaml, body.Reason), caller, ct);
        if (!deployed.Succeeded) return ApiResults.Problem(deployed.Failure!);
        var workload = await dispatcher.SendAsync(new GetWorkload(deployed.Value!.Id), caller, ct);
        return Results.Created($"/api/v1/workloads/{deployed.Value.Id}", workload.Value?.Workload);
    }

    /// <summary>
    /// A dry run of the deploy (or, with `workloadId` in the query, of that workload's update): 200 with the spec as Cocktail
    /// read it, or the same 400 with field errors the deploy would answer. Nothing is deployed. (Not named Validate: Wolverine
    /// would take a method of that name for middleware of every endpoint in the class.)
    /// </summary>
    [WolverinePost("/api/v1/service-maps/{id}/workloads/validate"), Tags("Workloads")]
    [ProducesResponseType<WorkloadValidation>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> DryRun(Guid id, WorkloadBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] Guid? workloadId)
    {
        if (body is null) return ApiResults.MissingBody();
        return ApiResults.Ok(await dispatcher.SendAsync(new ValidateWorkload(id, body.Spec(), body.Yaml, workloadId), http.ToCaller(), ct));
    }

    [WolverineGet("/api/v1/service-maps/{id}/workloads"), Tags("Workloads")]
    [ProducesResponseType<Page<WorkloadView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> List(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? search, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListWorkloads(id, search, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/workspaces/{id}/workloads"), Tags("Workloads")]
    [ProducesResponseType<Page<WorkloadView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListInWorkspace(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListWorkspaceWorkloads(id, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/workloads/{id}"), Tags("Workloads")]
    [ProducesResponseType<WorkloadView>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok((await dispatcher.SendAsync(new GetWorkload(id), http.ToCaller(), ct)).Map(d => d.Workload));

    /// <summary>The current spec as Kubernetes YAML (what PUT with `yaml` takes back).</summary>
    [WolverineGet("/api/v1/workloads/{id}/yaml"), Tags("Workloads")]
    [ProducesResponseType(200), ProducesResponseType(404)]
    public static async Task<IResult> Yaml(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var details = await dispatcher.SendAsync(new GetWorkload(id), http.ToCaller(), ct);
        return details.Succeeded ? Results.Text(details.Value!.Yaml, "application/yaml") : ApiResults.Problem(details.Failure!);
    }

    /// <summary>A new revision with the whole spec; `expectedRevision` refuses the change if someone changed it first.</summary>
    [WolverinePut("/api/v1/workloads/{id}"), Tags("Workloads")]
    [ProducesResponseType<WorkloadView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Update(Guid id, WorkloadBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        body is null ? ApiResults.MissingBody()
            : await ThenGet(id, await dispatcher.SendAsync(new UpdateWorkload(id, body.Spec(), body.Yaml, body.Reason, body.ExpectedRevision), http.ToCaller(), ct),
                http, dispatcher, ct);

    [WolverineDelete("/api/v1/workloads/{id}"), Tags("Workloads")]
    [ProducesResponseType(202), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Delete(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason)
    {
        var result = await dispatcher.SendAsync(new DeleteWorkload(id, reason), http.ToCaller(), ct);
        return result.Succeeded ? Results.Accepted($"/api/v1/workloads/{id}") : ApiResults.Problem(result.Failure!);
    }

    /// <summary>Manual replicas, or an autoscaler `{ minReplicas, maxReplicas, cpuTargetPercent }` (a HorizontalPodAutoscaler).</summary>
    [WolverinePost("/api/v1/workloads/{id}/scale"), Tags("Workloads")]
    [ProducesResponseType<WorkloadView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Scale(Guid id, ScaleBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        body is null ? ApiResults.MissingBody()
            : await ThenGet(id, await dispatcher.SendAsync(new ScaleWorkload(id, body.Replicas, body.Autoscaler, body.Reason), http.ToCaller(), ct),
                http, dispatcher, ct);

    /// <summary>Restores revision N's spec as a new revision.</summary>
    [WolverinePost("/api/v1/workloads/{id}/rollback"), Tags("Workloads")]
    [ProducesResponseType<WorkloadView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> RollBack(Guid id, RollbackBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        body is null ? ApiResults.MissingBody()
            : await ThenGet(id, await dispatcher.SendAsync(new RollBackWorkload(id, body.Revision, body.Reason), http.ToCaller(), ct), http, dispatcher, ct);

    /// <summary>Applies the spec of record again, undoing changes made on the cluster by hand.</summary>
    [WolverinePost("/api/v1/workloads/{id}/reapply"), Tags("Workloads")]
    [ProducesResponseType(202), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Reapply(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var result = await dispatcher.SendAsync(new ReapplyWorkload(id), http.ToCaller(), ct);
        return result.Succeeded ? Results.Accepted($"/api/v1/workloads/{id}") : ApiResults.Problem(result.Failure!);
    }

    [WolverineGet("/api/v1/workloads/{id}/revisions"), Tags("Workloads")]
    [ProducesResponseType<IReadOnlyList<WorkloadRevision>>(200), ProducesResponseType(404)]
    public static async Task<IResult> Revisions(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetWorkloadRevisions(id), http.ToCaller(), ct));

    [WolverineGet("/api/v1/workloads/{id}/pods"), Tags("Workloads")]
    [ProducesResponseType<IReadOnlyList<PodInfo>>(200), ProducesResponseType(404)]
    public static async Task<IResult> Pods(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetWorkloadPods(id), http.ToCaller(), ct));

    [WolverineGet("/api/v1/workloads/{id}/events"), Tags("Workloads")]
    [ProducesResponseType<Page<KubeEventInfo>>(200), ProducesResponseType(404)]
    public static async Task<IResult> Events(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetWorkloadEvents(id, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    /// <summary>
    /// A container's log as text: `?pod=&amp;container=&amp;tailLines=`, `follow=true` to keep it open, `previous=true` for the
    /// container that ran before the last restart (409 with the cluster's words when it never restarted).
    /// </summary>
    [WolverineGet("/api/v1/workloads/{id}/logs"), Tags("Workloads")]
    [ProducesResponseType(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(503)]
    public static async Task<IResult> Logs(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? pod, [FromQuery] string? container, [FromQuery] bool? follow, [FromQuery] int? tailLines, [FromQuery] bool? previous)
    {
        if (tailLines is < 1)
            return ApiResults.Problem(Failure.Invalid("tailLines is 1 or more.", "tailLines"));
        var log = await dispatcher.SendAsync(new OpenWorkloadLog(id, pod, container, follow ?? false, tailLines, previous ?? false), http.ToCaller(), ct);
        if (!log.Succeeded) return ApiResults.Problem(log.Failure!);
        http.Response.Headers["X-Pod"] = log.Value!.Pod;
        http.Response.Headers["X-Container"] = log.Value.Container;
        http.Response.Headers.CacheControl = "no-store";
        return Results.Stream(log.Value.Content, "text/plain; charset=utf-8");
    }

    private static async Task<IResult> ThenGet(Guid id, Result<Accepted> result, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (!result.Succeeded) return ApiResults.Problem(result.Failure!);
        return ApiResults.Ok((await dispatcher.SendAsync(new GetWorkload(id), http.ToCaller(), ct)).Map(d => d.Workload));
    }
}
