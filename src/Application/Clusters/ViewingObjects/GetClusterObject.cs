using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Clusters.ViewingObjects;

/// <summary>
/// One object of a cluster, read live: its YAML, a describe-like summary, its events and the objects related to it.
/// <c>Kind</c> is the resource's plural ("deployments") or its kind; <c>Namespace</c> only for namespaced kinds.
/// </summary>
public sealed record GetClusterObject(Guid ClusterId, string Kind, string? Namespace, string Name) : IRequest<ClusterObjectDetails>;

public sealed class GetClusterObjectValidator : AbstractValidator<GetClusterObject>
{
    public GetClusterObjectValidator()
    {
        RuleFor(x => x.Kind).Must(k => !string.Equals(k, "secrets", StringComparison.OrdinalIgnoreCase) && !string.Equals(k, "secret", StringComparison.OrdinalIgnoreCase))
            .WithMessage("Secrets are never shown.")
            .Must(k => ObjectKinds.TryParse(k, out _))
            .WithMessage($"The kinds that open are {string.Join(", ", ObjectKinds.PathNames)}.");
        RuleFor(x => x.Name).NotEmpty().MaximumLength(253).Matches(ObjectNames.Name).WithMessage("Not a Kubernetes object name.");
        When(x => ObjectKinds.TryParse(x.Kind, out var kind) && ObjectKinds.IsNamespaced(kind), () =>
            RuleFor(x => x.Namespace).NotEmpty().WithMessage("This kind lives in a namespace; name it.")
                .MaximumLength(63).Matches(ObjectNames.Namespace).WithMessage("Not a namespace name."));
        When(x => ObjectKinds.TryParse(x.Kind, out var kind) && !ObjectKinds.IsNamespaced(kind), () =>
            RuleFor(x => x.Namespace).Empty().WithMessage("This kind belongs to the whole cluster, not to a namespace."));
    }
}

public static class ObjectNames
{
    public const string Name = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";
    public const string Namespace = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
}

public static class GetClusterObjectHandler
{
    /// <summary>Said for every object the caller may not see, and for one that does not exist: the answer never confirms it exists.</summary>
    public const string NotFoundMessage = "No such object, or you may not see it.";

    public static async Task<Result<ClusterObjectDetails>> Handle(GetClusterObject query, Actor actor, IQuerySession session, IInventoryReader inventory,
        IClusterObjectReader objects, ICredentialVault vault, CancellationToken ct)
    {
        ObjectKinds.TryParse(query.Kind, out var kind);
        var ns = ObjectKinds.IsNamespaced(kind) ? query.Namespace : null;
        var scope = await ClusterObjectAccess.ScopeAsync(actor, query.ClusterId, kind, ns, query.Name, session, ct);
        if (scope is null) return Failure.NotFound(NotFoundMessage);
        var cluster = (await session.LoadAsync<ClusterView>(query.ClusterId, ct))!;
        var credential = await session.LoadAsync<ClusterCredential>(query.ClusterId, ct);
        if (credential is null) return Failure.NotFound(NotFoundMessage);

        var (live, problem, message) = await objects.ReadAsync(vault.Unprotect(credential.Protected), kind, ns, query.Name, ct);
        switch (problem)
        {
            case LiveObjectProblem.NotFound: return Failure.NotFound(NotFoundMessage);
            case LiveObjectProblem.Unreachable: return new Failure(FailureKind.Unavailable, $"The cluster does not answer: {message}");
            case LiveObjectProblem.Refused: return Failure.Conflict($"The cluster refused to send the object: {message}");
        }

        var capacityOnly = kind == ObjectKind.Node && !scope.IsFull;
        var description = capacityOnly
            ? live!.Description with
            {
                Labels = new Dictionary<string, string>(), Annotations = new Dictionary<string, string>(),
                Fields = live.Description.Fields.Where(f => f.Name is not "Addresses").ToList(),
            }
            : live!.Description;
        var related = await RelatedAsync(query.ClusterId, kind, ns, query.Name, description, scope, inventory, ct);
        var events = kind == ObjectKind.Event
            ? []
            : (await inventory.EventsAsync(query.ClusterId, new EventFilter(null, ns, $"{description.Kind}/{query.Name}", scope.Namespaces), 1, 100, ct)).Items;
        return new ClusterObjectDetails(query.ClusterId, cluster.Name, kind, ns, query.Name, capacityOnly ? null : live.Yaml, description, related, events,
            capacityOnly);
    }

    /// <summary>The object's owners and references, and the pods (or Jobs) it selects or runs, within what the caller may see.</summary>
    private static async Task<IReadOnlyList<ObjectRef>> RelatedAsync(Guid clusterId, ObjectKind kind, string? ns, string name, ObjectDescription d,
        InventoryScope scope, IInventoryReader inventory, CancellationToken ct)
    {
        var related = new List<ObjectRef>(d.Owners);
        related.AddRange(d.References.Where(r => r.Namespace is null || scope.Allows(r.Namespace)));
        if (kind == ObjectKind.Pod && d.Node is { } node) related.Add(new ObjectRef("Node", null, node, "Runs on"));
        if (kind is ObjectKind.Deployment or ObjectKind.StatefulSet or ObjectKind.DaemonSet or ObjectKind.Job or ObjectKind.Service && d.Selector is { Count: > 0 } selector)
        {
            var pods = await inventory.ListAsync<PodInfo>(clusterId, [InventoryKind.Pod], new InventoryFilter(ns, Namespaces: scope.Namespaces), 1,
                Paging.MaxPageSize, ct);
            related.AddRange(pods.Items.Where(p => selector.All(s => p.Labels.TryGetValue(s.Key, out var v) && v == s.Value))
                .Select(p => new ObjectRef("Pod", p.Namespace, p.Name, kind == ObjectKind.Service ? $"Selected pod ({p.Phase})" : $"Pod ({p.Phase})")));
        }
        else if (kind == ObjectKind.Node)
        {
            var pods = await inventory.ListAsync<PodInfo>(clusterId, [InventoryKind.Pod], new InventoryFilter(Node: name, Namespaces: scope.Namespaces), 1,
                Paging.MaxPageSize, ct);
            related.AddRange(pods.Items.Select(p => new ObjectRef("Pod", p.Namespace, p.Name, $"Pod on the node ({p.Phase})")));
        }
        else if (kind == ObjectKind.CronJob)
        {
            var jobs = await inventory.ListAsync<WorkloadInfo>(clusterId, [InventoryKind.Job], new InventoryFilter(ns, Namespaces: scope.Namespaces), 1,
                Paging.MaxPageSize, ct);
            related.AddRange(jobs.Items.Where(j => j.Name.StartsWith(name + "-", StringComparison.Ordinal) && !related.Any(r => r.Kind == "Job" && r.Name == j.Name))
                .Select(j => new ObjectRef("Job", j.Namespace, j.Name, $"Job ({j.Status})")));
        }
        return related.DistinctBy(r => (r.Kind, r.Namespace, r.Name)).ToList();
    }
}

/// <summary>Who may open which object: the inventory's own visibility, object by object.</summary>
public static class ClusterObjectAccess
{
    /// <summary>
    /// The caller's scope on the cluster when they may see this object, else null. Members see their service maps'
    /// namespaces (on a shared cluster nothing else) and the nodes as capacity; platform admins and auditors everything.
    /// </summary>
    public static async Task<InventoryScope?> ScopeAsync(Actor actor, Guid clusterId, ObjectKind kind, string? ns, string name, IQuerySession session,
        CancellationToken ct)
    {
        var scope = await ClusterScope.InventoryScopeAsync(actor, clusterId, session, ct);
        if (!scope.Visible) return null;
        if (ObjectKinds.IsNamespaced(kind)) return !string.IsNullOrWhiteSpace(ns) && scope.Allows(ns) ? scope : null;
        if (kind == ObjectKind.Namespace) return scope.Allows(name) ? scope : null;
        return scope;
    }
}
