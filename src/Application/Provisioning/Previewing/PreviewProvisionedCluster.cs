using Cocktail.Application.Common;
using Cocktail.Application.Provisioning.Building;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Provisioning.Previewing;

/// <summary>The objects Cocktail would apply, as YAML, after every check a request passes; records nothing.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record PreviewProvisionedCluster(Guid ManagementClusterId, ClusterBlueprintInput Blueprint) : IRequest<ClusterPreview>;

/// <summary>The multi-document YAML and the objects in it ("Kind/name", in apply order).</summary>
public sealed record ClusterPreview(string Yaml, IReadOnlyList<string> Objects);

public sealed class PreviewProvisionedClusterValidator : AbstractValidator<PreviewProvisionedCluster>
{
    public PreviewProvisionedClusterValidator()
    {
        RuleFor(x => x.ManagementClusterId).NotEmpty().WithMessage("Choose the management cluster.");
        RuleFor(x => x.Blueprint).ValidBlueprint();
    }
}

public static class PreviewProvisionedClusterHandler
{
    public static async Task<Result<ClusterPreview>> Handle(PreviewProvisionedCluster query, IQuerySession session,
        IClusterApiGateway gateway, CancellationToken ct)
    {
        var prepared = await ClusterRequests.PrepareAsync(query.ManagementClusterId, query.Blueprint, session, gateway, ct);
        if (prepared.Failure is { } failure) return failure;
        return new ClusterPreview(ClusterObjects.ToYaml(prepared.Value!.Objects), ClusterRequests.Names(prepared.Value.Objects));
    }
}
