using Cocktail.Application.Charts;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Releases.Installing;

/// <summary>
/// A team installs a chart into one of its workspace's service maps: a HelmRelease in the map's namespace that Flux
/// runs as the map's <c>cocktail-helm</c> account, so the chart cannot reach outside the namespace. The service map
/// must belong to the workspace named (another workspace's map answers 404, nothing recorded), and the repository
/// must be one the workspace may use (<see cref="IVisibleChartRepositories"/>).
/// </summary>
public sealed record InstallRelease(
    Guid WorkspaceId, Guid ServiceMapId, string Repository, string Chart, string Version, string? Name = null, string? Values = null,
    string? Reason = null) : IRequest<Accepted>;

public sealed class InstallReleaseValidator : AbstractValidator<InstallRelease>
{
    public InstallReleaseValidator()
    {
        RuleFor(x => x.ServiceMapId).NotEmpty().WithMessage("Choose the service map.");
        RuleFor(x => x.Repository).NotEmpty().WithMessage("Choose the chart repository.").MaximumLength(2048);
        RuleFor(x => x.Chart).NotEmpty().WithMessage("Choose the chart.").MaximumLength(253);
        RuleFor(x => x.Version).NotEmpty().WithMessage("Choose the chart version.").MaximumLength(ChartSemVer.MaxLength);
        RuleFor(x => x.Name).MaximumLength(ChartRelease.MaxNameLength);
        RuleFor(x => x.Values).MaximumLength(ChartReleases.MaxValuesYaml).WithMessage("Values are at most 256 KiB of YAML.");
        RuleFor(x => x.Reason).MaximumLength(500);
    }
}

public static class InstallReleaseHandler
{
    public static async Task<Result<Accepted>> Handle(InstallRelease command, Actor actor, IDocumentSession session, IVisibleChartRepositories repositories,
        IChartPackages packages, IChartValues values, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanDeploy, ct);
        if (workspace.Failure is { } denied) return denied;
        var map = await session.LoadAsync<ServiceMapView>(command.ServiceMapId, ct);
        if (map is null || map.WorkspaceId != command.WorkspaceId) return Failure.NotFound(ServiceMapAccess.NoSuchServiceMap);
        if (map.Status == Domain.Tenancy.ServiceMapStatus.Deleting) return Failure.Conflict("The service map is being deleted.");
        var repository = await repositories.FindAsync(command.WorkspaceId, command.Repository.Trim(), ct);
        if (repository is null) return Failure.Invalid($"No chart repository '{command.Repository}' is available to this workspace.", "repository");
        var chart = command.Chart.Trim();
        var name = string.IsNullOrWhiteSpace(command.Name) ? chart : command.Name.Trim();
        if (!DnsLabel.IsValid(name) || name.Length > ChartRelease.MaxNameLength)
            return Failure.Invalid($"Release names use lowercase letters, digits and '-', at most {ChartRelease.MaxNameLength} characters.", "name");
        var source = new ChartSource(repository.Url, repository.Kind, chart);
        var prepared = await ChartReleases.PrepareAsync(source, command.Version, command.Values, null, packages, values, ct);
        if (prepared.Failure is { } failure) return failure;
        var target = new ChartReleaseTarget(map.ClusterId, map.ClusterName, map.Namespace, null, map.WorkspaceId, map.Id, map.Name);
        return await ChartReleases.InstallAsync(session, target, name, source, command.Version.Trim(), prepared.Value!.Values, actor.Ref,
            clock.GetUtcNow(), ChartReleases.Reason(command.Reason), ct);
    }
}
