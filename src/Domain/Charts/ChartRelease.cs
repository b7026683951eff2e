using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Domain.Charts;

public enum ChartReleaseStatus { Pending, Deployed, Failed, Uninstalling, Uninstalled }

/// <summary>One Cocktail revision: a chart version and the values it was asked to run with.</summary>
public sealed record ChartReleaseRevision(int Number, string Version, JsonObject Values, string Change, DateTimeOffset At);

/// <summary>One entry of the HelmRelease's <c>status.history</c> (newest first), as Flux's helm-controller writes it.</summary>
public sealed record HelmHistoryEntry(int Version, string ChartVersion, string? AppVersion, string Status);

/// <summary>
/// What Cocktail read of a HelmRelease on the cluster: whether it exists, its generation and the generation the
/// controller last acted on, its conditions (<c>Ready</c>, <c>Released</c>, <c>TestSuccess</c>, <c>Remediated</c>) and
/// <c>status.history</c> (newest first).
/// </summary>
public sealed record HelmReleaseObservation(
    bool Exists, long Generation, long ObservedGeneration, IReadOnlyList<ObservedCondition> Conditions, IReadOnlyList<HelmHistoryEntry> History)
{
    public static HelmReleaseObservation Gone { get; } = new(false, 0, 0, [], []);

    public ObservedCondition? Condition(string type) => Conditions.FirstOrDefault(c => c.Type == type);
}

/// <summary>
/// A Helm release Cocktail manages through Flux: a cluster addon or a chart a team installed into its service map.
/// Each asked change is a numbered Cocktail revision (chart version + values), so a rollback re-applies an earlier
/// one; what Flux reports becomes events only when it changes (a new Helm revision deployed, a new failure, a
/// remediation, the release gone).
/// </summary>
public sealed record ChartRelease(
    Guid Id, string Name, ChartReleaseTarget Target, ChartSource Source, string Version, JsonObject Values,
    ChartReleaseStatus Status, ImmutableList<ChartReleaseRevision> Revisions)
{
    /// <summary>Helm refuses release names longer than 53 characters (its storage Secret names must stay within 63).</summary>
    public const int MaxNameLength = 53;

    public int Revision => Revisions.Count == 0 ? 0 : Revisions[^1].Number;
    public int? AppliedRevision { get; init; }
    public HelmHistoryEntry? Deployed { get; init; }
    public ObservedFailure? Failure { get; init; }
    public ObservedFailure? Remediation { get; init; }
    public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>Helm allows one release of a name per namespace: the stream id derives from the cluster, the namespace and the name.</summary>
    public static Guid IdFor(Guid clusterId, string @namespace, string name) => DerivedIds.From($"chart-release:{@namespace}/{name}:", clusterId);

    public static Decision Request(
        string name, ChartReleaseTarget target, ChartSource source, string version, JsonObject values, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Check(name, target, version) is { } invalid) return invalid;
        return Decision.Accept(new ChartReleaseInstallRequested(IdFor(target.ClusterId, target.Namespace, name), name, target, source,
            version.Trim(), Copy(values), 1, by, at, RemovalReason.Optional(reason)));
    }

    private static DomainError? Check(string name, ChartReleaseTarget target, string version)
    {
        if (!DnsLabel.IsValid(name) || name.Length > MaxNameLength)
            return DomainError.Invalid($"Release names use {DnsLabel.Rule.Replace("63", MaxNameLength.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)}.", "name");
        if (!DnsLabel.IsValid(target.Namespace)) return DomainError.Invalid($"Namespaces use {DnsLabel.Rule}.", "namespace");
        if (!ChartSemVer.TryParse(version, out _)) return DomainError.Invalid("Chart versions are SemVer, such as 1.15.3.", "version");
        return null;
    }

    /// <summary>The same release name again after an uninstall finished: a new install on the same stream.</summary>
    public Decision Reinstall(ChartReleaseTarget target, ChartSource source, string version, JsonObject values, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Status != ChartReleaseStatus.Uninstalled)
            return DomainError.Conflict(Status == ChartReleaseStatus.Uninstalling
                ? $"Release '{Name}' is being uninstalled; install it again once it is gone."
                : $"Release '{Name}' is installed on {Target.ClusterName} already.", "name");
        if (Check(Name, target, version) is { } invalid) return invalid;
        return Decision.Accept(new ChartReleaseInstallRequested(Id, Name, target, source, version.Trim(), Copy(values), Revision + 1, by, at,
            RemovalReason.Optional(reason)));
    }

    private bool Gone => Status is ChartReleaseStatus.Uninstalling or ChartReleaseStatus.Uninstalled;

    private DomainError NotHere() => Status == ChartReleaseStatus.Uninstalled
        ? DomainError.NotFound($"Release '{Name}' was uninstalled.")
        : DomainError.Conflict($"Release '{Name}' is being uninstalled.");

    public Decision ChangeValues(JsonObject values, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return NotHere();
        if (JsonNode.DeepEquals(values, Values)) return Decision.Nothing;
        return Decision.Accept(new ChartReleaseValuesChanged(Id, Name, Target.ClusterName, Revision + 1, Version, Copy(Values), Copy(values), by, at,
            RemovalReason.Optional(reason)));
    }

    /// <summary>
    /// To a newer chart version, with the values given (the current ones when none are). An older version is a
    /// rollback's job, so the values that ran with it come back too.
    /// </summary>
    public Decision Upgrade(string version, JsonObject? values, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return NotHere();
        if (!ChartSemVer.TryParse(version, out _)) return DomainError.Invalid("Chart versions are SemVer, such as 1.15.3.", "version");
        var to = version.Trim();
        var compared = ChartSemVer.Compare(to, Version);
        if (compared == 0) return DomainError.Invalid($"Release '{Name}' runs {Version} already; change its values instead.", "version");
        if (compared < 0) return DomainError.Invalid($"{to} is older than {Version}: roll back to a revision that ran it instead.", "version");
        return Decision.Accept(new ChartReleaseUpgradeRequested(Id, Name, Target.ClusterName, Revision + 1, Version, to, Copy(Values),
            Copy(values ?? Values), by, at, RemovalReason.Optional(reason)));
    }

    public Decision RollBack(int toRevision, ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return NotHere();
        if (Revisions.FirstOrDefault(r => r.Number == toRevision) is not { } target)
            return DomainError.Invalid($"Release '{Name}' has no revision {toRevision}.", "revision");
        if (toRevision == Revision) return DomainError.Invalid($"Revision {toRevision} is the current one.", "revision");
        return Decision.Accept(new ChartReleaseRollbackRequested(Id, Name, Target.ClusterName, Revision + 1, toRevision, Version, target.Version,
            Copy(Values), Copy(target.Values), by, at, RemovalReason.Optional(reason)));
    }

    public Decision RequestUninstall(ActorRef by, DateTimeOffset at, string? reason)
    {
        if (Gone) return Status == ChartReleaseStatus.Uninstalling ? Decision.Nothing : NotHere();
        return Decision.Accept(new ChartReleaseUninstallRequested(Id, Name, Target.ClusterName, Version, Copy(Values), by, at, RemovalReason.Optional(reason)));
    }

    /// <summary>The outcome of writing the Flux objects for a revision; a revision already superseded records nothing.</summary>
    public Decision RecordApply(int revision, string? error, DateTimeOffset at)
    {
        if (Gone || revision != Revision) return Decision.Nothing;
        if (error is null)
            return AppliedRevision == revision ? Decision.Nothing : Decision.Accept(new ChartReleaseApplied(Id, Name, Target.ClusterName, revision, at));
        return Decision.Accept(new ChartReleaseApplyFailed(Id, Name, Target.ClusterName, revision, Clip(error)!, at));
    }

    private static readonly HashSet<string> FailureReasons = new(StringComparer.Ordinal)
    {
        // helm-controller v2 api/v2/reasons.go: the Ready/Released reasons that say an action failed.
        "InstallFailed", "UpgradeFailed", "TestFailed", "RollbackFailed", "UninstallFailed", "ArtifactFailed", "InitFailed",
        "GetLastReleaseFailed", "DependencyNotReady", "ValuesGenerationFailed", "PostRendererFailed", "DriftDetectionFailed",
    };

    /// <summary>
    /// helm-controller's reason while the chart source is not ready. Right after a change it is a wait (the HelmRepository
    /// index not fetched yet), not a failure; still there <see cref="SourceWait"/> after the change, the source is not
    /// coming (a version gone from the repository, a repository the cluster cannot reach), and its message says why.
    /// </summary>
    public const string SourceNotReady = "SourceNotReady";

    public static readonly TimeSpan SourceWait = TimeSpan.FromMinutes(2);

    /// <summary>What Flux reported on the HelmRelease: transitions become events, nothing else does.</summary>
    public Decision Observe(HelmReleaseObservation seen, DateTimeOffset at)
    {
        if (Status == ChartReleaseStatus.Uninstalled) return Decision.Nothing;
        if (!seen.Exists)
            return Status == ChartReleaseStatus.Uninstalling ? Decision.Accept(new ChartReleaseUninstalled(Id, Name, Target.ClusterName, at)) : Decision.Nothing;
        if (Status == ChartReleaseStatus.Uninstalling) return Decision.Nothing;
        var events = new List<object>();
        var current = seen.ObservedGeneration >= seen.Generation;
        var ready = seen.Condition("Ready");
        if (seen.History is [var newest, ..] && newest.Status == "deployed")
        {
            // A new Helm revision deployed; or the same one Ready again after a passing failure (a chart source not fetched
            // yet, a dependency not ready): Flux recovers without a new revision, and so must the release's status.
            var recovered = Failure is not null && current && ready is { Status: "True" };
            if (Deployed?.Version != newest.Version || recovered)
                events.Add(new ChartReleaseDeployed(Id, Name, Target.ClusterName, newest.Version, newest.ChartVersion, newest.AppVersion, at));
        }
        if (seen.Condition("Remediated") is { Status: "True" } remediated)
        {
            var remediation = new ObservedFailure(remediated.Reason ?? "", Clip(remediated.Message) ?? "");
            if (remediation != Remediation)
                events.Add(new ChartReleaseRemediated(Id, Name, Target.ClusterName, remediation.Reason, remediation.Message, at));
        }
        if (current && ready is { Status: "False", Reason: { } reason } && (FailureReasons.Contains(reason) || reason == SourceNotReady && at - ChangedAt >= SourceWait))
        {
            var failure = new ObservedFailure(reason, Clip(ready.Message) ?? "");
            if (failure != Failure) events.Add(new ChartReleaseFailed(Id, Name, Target.ClusterName, failure.Reason, failure.Message, at));
        }
        return events.Count == 0 ? Decision.Nothing : Decision.Accept([.. events]);
    }

    private static JsonObject Copy(JsonObject values) => (JsonObject)values.DeepClone();

    private static string? Clip(string? message) => message is { Length: > 1000 } ? message[..1000] + "…" : message;

    private ChartRelease Revised(int number, string version, JsonObject values, string change, DateTimeOffset at) => this with
    {
        Version = version, Values = values, Status = ChartReleaseStatus.Pending,
        Revisions = Revisions.Add(new ChartReleaseRevision(number, version, values, change, at)), Failure = null, Remediation = null, ChangedAt = at,
    };

    public static ChartRelease Create(ChartReleaseInstallRequested e) =>
        new(e.ReleaseId, e.Name, e.Target, e.Source, e.Version, e.Values, ChartReleaseStatus.Pending,
            [new ChartReleaseRevision(e.Revision, e.Version, e.Values, "install", e.RequestedAt)]) { ChangedAt = e.RequestedAt };

    public ChartRelease Apply(ChartReleaseInstallRequested e) => this with
    {
        Target = e.Target, Source = e.Source, Version = e.Version, Values = e.Values, Status = ChartReleaseStatus.Pending,
        Revisions = Revisions.Add(new ChartReleaseRevision(e.Revision, e.Version, e.Values, "install", e.RequestedAt)),
        AppliedRevision = null, Deployed = null, Failure = null, Remediation = null, ChangedAt = e.RequestedAt,
    };

    public ChartRelease Apply(ChartReleaseValuesChanged e) => Revised(e.Revision, e.Version, e.After, "values", e.ChangedAt);
    public ChartRelease Apply(ChartReleaseUpgradeRequested e) => Revised(e.Revision, e.To, e.After, "upgrade", e.RequestedAt);
    public ChartRelease Apply(ChartReleaseRollbackRequested e) => Revised(e.Revision, e.To, e.After, $"rollback to {e.ToRevision}", e.RequestedAt);
    public ChartRelease Apply(ChartReleaseUninstallRequested e) => this with { Status = ChartReleaseStatus.Uninstalling, ChangedAt = e.RequestedAt };
    public ChartRelease Apply(ChartReleaseApplied e) => this with { AppliedRevision = e.Revision };
    public ChartRelease Apply(ChartReleaseApplyFailed _) => this;

    public ChartRelease Apply(ChartReleaseDeployed e) => this with
    {
        Deployed = new HelmHistoryEntry(e.HelmRevision, e.ChartVersion, e.AppVersion, "deployed"),
        Status = Gone ? Status : ChartReleaseStatus.Deployed, Failure = null,
    };

    public ChartRelease Apply(ChartReleaseFailed e) => this with
    {
        Failure = new ObservedFailure(e.Reason, e.Message), Status = Gone ? Status : ChartReleaseStatus.Failed,
    };

    public ChartRelease Apply(ChartReleaseRemediated e) => this with { Remediation = new ObservedFailure(e.Reason, e.Message) };
    public ChartRelease Apply(ChartReleaseUninstalled _) => this with { Status = ChartReleaseStatus.Uninstalled, AppliedRevision = null };
}
