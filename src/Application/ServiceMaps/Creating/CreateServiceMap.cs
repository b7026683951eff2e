using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.ServiceMaps.Creating;

/// <summary>A namespace for the workspace on one of its clusters, with a quota carved out of the workspace's there.</summary>
public sealed record CreateServiceMap(
    Guid WorkspaceId, string Name, Guid ClusterId, string? Namespace, Quota? Quota, DefaultLimits? DefaultLimits = null,
    PodSecurityLevel? PodSecurity = null) : IRequest<Accepted>;

public sealed class CreateServiceMapValidator : AbstractValidator<CreateServiceMap>
{
    public CreateServiceMapValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Name the service map.").MaximumLength(63);
        RuleFor(x => x.ClusterId).NotEmpty().WithMessage("Choose the cluster.");
        RuleFor(x => x.Namespace).Must(ns => ns is null || DnsLabel.IsValid(ns)).WithMessage($"Namespaces use {DnsLabel.Rule}.");
        RuleFor(x => x.Namespace).NotEmpty().When(x => !DnsLabel.IsValid(x.Name))
            .WithMessage("Give a namespace: the name is not one (lowercase letters, digits and '-').");
        RuleFor(x => x.Quota).ValidQuota();
        RuleFor(x => x.DefaultLimits).ValidDefaultLimits();
        RuleFor(x => x.PodSecurity).IsInEnum().WithMessage("podSecurity is privileged, baseline or restricted.");
    }
}

public static class CreateServiceMapHandler
{
    public static async Task<Result<Accepted>> Handle(CreateServiceMap command, Actor actor, IDocumentSession session,
        IInventoryReader inventory, IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanDeploy, ct);
        if (workspace.Failure is { } failure) return failure;
        if (workspace.Value!.Cluster(command.ClusterId) is null)
            return Failure.Invalid("The workspace has no quota on that cluster; ask a platform admin to assign it.", "clusterId");
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.Invalid("No such cluster.", "clusterId");

        var ns = command.Namespace ?? command.Name;
        if (await ExistsOnClusterAsync(inventory, cluster.Id, ns, ct))
            return Failure.Invalid($"Namespace '{ns}' already exists on cluster '{cluster.Name}' and is not Cocktail's.", "namespace");

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var allocationStream = await session.Events.FetchForWriting<ClusterAllocation>(ClusterAllocation.StreamIdFor(cluster.Id), ct);
        var allocation = allocationStream.Aggregate ?? ClusterAllocation.Empty(cluster.Id, cluster.Name);
        var bounds = await PodSecurityRules.BoundsAsync(session, workspace.Value.Id, cluster.Id, null, ct, allocation);
        if (bounds is null) return Failure.Invalid("The workspace has no quota on that cluster; ask a platform admin to assign it.", "clusterId");
        var created = ServiceMap.Create(id, command.Name, workspace.Value.Id, workspace.Value.Name, cluster.Id, cluster.Name, ns,
            command.Quota!, command.DefaultLimits, command.PodSecurity, bounds, actor.Ref, now);
        if (created.Error is { } invalid) return invalid;

        var allocated = allocation.AllocateServiceMap(id, workspace.Value.Id, command.Name.Trim(), ns, command.Quota!, actor.Ref, now);
        if (allocated.Error is { } refused) return refused;

        session.Events.StartStream<ServiceMap>(id, created.Events.ToArray());
        allocationStream.AppendMany(allocated.Events.ToArray());
        await messages.PublishAsync(new ReconcileServiceMap(id));
        return new Accepted(id, 1);
    }

    /// <summary>An existing namespace that Cocktail does not manage would be taken over: refuse it.</summary>
    private static async Task<bool> ExistsOnClusterAsync(IInventoryReader inventory, Guid clusterId, string ns, CancellationToken ct)
    {
        var found = await inventory.ListAsync<NamespaceInfo>(clusterId, [InventoryKind.Namespace], new InventoryFilter(Search: ns), 1, 50, ct);
        return found.Items.Any(n => n.Name == ns && !n.Labels.ContainsKey(ServiceMapManifest.ServiceMapLabel));
    }
}
