using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tenancy;

/// <summary>
/// A namespace owned by a workspace. Its quota lives in the cluster's allocation; here: settings, lifecycle, and the
/// cluster's verdict on it (decided here from what the reconciler observed, see <see cref="RecordApply"/>).
/// </summary>
public sealed record ServiceMap(
    Guid Id, string Name, Guid WorkspaceId, Guid ClusterId, string Namespace, DefaultLimits? DefaultLimits,
    PodSecurityLevel PodSecurity, bool Deleting)
{
    /// <summary>The namespace is gone from the cluster.</summary>
    public bool Deleted { get; init; }

    public static Decision Create(Guid id, string name, Guid workspaceId, string workspaceName, Guid clusterId, string clusterName,
        string ns, Quota quota, DefaultLimits? limits, PodSecurityLevel? podSecurity, PodSecurityBounds bounds, ActorRef by, DateTimeOffset at)
    {
        var level = podSecurity ?? bounds.Default;
        if (bounds.Check(level) is { } refused) return refused;
        if (!DnsLabel.IsValid(ns)) return DomainError.Invalid($"Namespaces use {DnsLabel.Rule}.", "namespace");
        if (ReservedNamespaces.Contains(ns) || ns.StartsWith("kube-", StringComparison.Ordinal))
            return DomainError.Invalid($"Namespace '{ns}' is reserved for the cluster itself.", "namespace");
        return Decision.Accept(new ServiceMapCreated(id, name.Trim(), workspaceId, workspaceName, clusterId, clusterName, ns, quota,
            limits, level, by, at));
    }

    public static readonly IReadOnlySet<string> ReservedNamespaces = new HashSet<string>
    {
        "default", "kube-system", "kube-public", "kube-node-lease", "cocktail-access", "cocktail-system",
    };

    /// <summary>A new Pod Security level must lie within the bounds; a level kept as it is stays even if the bounds moved since.</summary>
    public Decision ChangeSettings(string name, DefaultLimits? limits, PodSecurityLevel podSecurity, PodSecurityBounds bounds, ActorRef by, DateTimeOffset at)
    {
        if (Deleting) return DomainError.Conflict("The service map is being deleted.");
        if (podSecurity != PodSecurity && bounds.Check(podSecurity) is { } refused) return refused;
        if (name.Trim() == Name && limits == DefaultLimits && podSecurity == PodSecurity) return Decision.Nothing;
        return Decision.Accept(new ServiceMapSettingsChanged(Id, name.Trim(), limits, podSecurity, by, at));
    }

    /// <summary>
    /// A platform admin lowered the assignment's ceiling (or the cluster stopped being dedicated): a looser level
    /// comes down to it, recorded as a settings change by that admin.
    /// </summary>
    public Decision HoldToCeiling(PodSecurityLevel ceiling, ActorRef by, DateTimeOffset at) =>
        Deleting || PodSecurityBounds.Rank(PodSecurity) >= PodSecurityBounds.Rank(ceiling)
            ? Decision.Nothing
            : Decision.Accept(new ServiceMapSettingsChanged(Id, Name, DefaultLimits, ceiling, by, at));

    /// <summary>Deleting removes the namespace and all it holds, so the caller must type the namespace to confirm.</summary>
    public Decision RequestDeletion(string confirmation, ActorRef by, DateTimeOffset at)
    {
        if (Deleting) return Decision.Nothing;
        if (confirmation != Namespace)
            return DomainError.Invalid($"Type the namespace ('{Namespace}') to confirm: its namespace and everything in it are deleted.", "confirm");
        return Decision.Accept(new ServiceMapDeletionRequested(Id, Name, WorkspaceId, ClusterId, Namespace, by, at));
    }

    /// <summary>
    /// The cluster's answer to applying the service map. Only a change of verdict is an event: a map already shown
    /// Ready stays so without a new event, a refusal is recorded again only when the cluster's reason changed, and an
    /// unreachable cluster leaves the map as it was (Pending). <paramref name="shown"/> is the verdict the map shows,
    /// since a quota change (recorded in the cluster's allocation, not here) also puts it back to Pending.
    /// </summary>
    public Decision RecordApply(ClusterOutcome outcome, ServiceMapVerdict shown, DateTimeOffset at)
    {
        if (Deleting) return Decision.Nothing; // the namespace is going: see RecordNamespaceDeletion
        return outcome.Answer switch
        {
            ClusterAnswer.Applied when shown.Status != ServiceMapStatus.Ready =>
                Decision.Accept(new ServiceMapBecameReady(Id, Name, ClusterId, Namespace, at)),
            ClusterAnswer.Refused when shown.Status != ServiceMapStatus.Failed || shown.Message != outcome.Message =>
                Decision.Accept(Failed(outcome, at)),
            _ => Decision.Nothing,
        };
    }

    /// <summary>
    /// A drift check found <paramref name="findings"/> on the cluster and put them back; <paramref name="correction"/>
    /// is how the cluster answered the correction. A failed correction is judged like any apply.
    /// </summary>
    public Decision RecordDriftCorrection(IReadOnlyList<string> findings, ClusterOutcome correction, ServiceMapVerdict shown, DateTimeOffset at)
    {
        if (Deleting || findings.Count == 0) return Decision.Nothing;
        return correction.Answer == ClusterAnswer.Applied
            ? Decision.Accept(new DriftCorrected(Id, Name, ClusterId, Namespace, findings, at))
            : RecordApply(correction, shown, at);
    }

    /// <summary>
    /// The cluster's answer to deleting the namespace: Applied once it is gone; a refusal is recorded (again only when
    /// its reason changed); while it terminates or the cluster does not answer, nothing is.
    /// </summary>
    public Decision RecordNamespaceDeletion(ClusterOutcome outcome, ServiceMapVerdict shown, DateTimeOffset at)
    {
        if (!Deleting || Deleted) return Decision.Nothing;
        return outcome.Answer switch
        {
            ClusterAnswer.Applied => Decision.Accept(new ServiceMapDeleted(Id, Name, ClusterId, Namespace, at)),
            ClusterAnswer.Refused when shown.Status != ServiceMapStatus.Failed || shown.Message != outcome.Message => Decision.Accept(Failed(outcome, at)),
            _ => Decision.Nothing,
        };
    }

    private ServiceMapReconcileFailed Failed(ClusterOutcome outcome, DateTimeOffset at) =>
        new(Id, Name, ClusterId, Namespace, outcome.Message ?? "", at);

    public static ServiceMap Create(ServiceMapCreated e) =>
        new(e.ServiceMapId, e.Name, e.WorkspaceId, e.ClusterId, e.Namespace, e.DefaultLimits, e.PodSecurity, false);

    public ServiceMap Apply(ServiceMapSettingsChanged e) => this with { Name = e.Name, DefaultLimits = e.DefaultLimits, PodSecurity = e.PodSecurity };
    public ServiceMap Apply(ServiceMapDeletionRequested _) => this with { Deleting = true };
    public ServiceMap Apply(ServiceMapDeleted _) => this with { Deleted = true };
}

/// <summary>The verdict a service map shows (its read model's status and message), which its decisions compare against.</summary>
public sealed record ServiceMapVerdict(ServiceMapStatus Status, string? Message = null);
