using Cocktail.Application.Alerts.ReceivingAlertmanager;
using Cocktail.Application.KubernetesAudit.SettingUpWebhook;
using Cocktail.Domain.Access;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Charts;
using Cocktail.Domain.ApiTokens;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Common;
using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Monitoring;
using Cocktail.Application.Pipelines;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Logs;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Provisioning;
using Cocktail.Domain.Registries;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Terminal;
using Cocktail.Domain.Users;
using Cocktail.Domain.Workloads;

namespace Cocktail.Application.Audit.Describing;

/// <summary>An event in words, and the object it is about, as the audit trail's columns show them.</summary>
public sealed record AuditDescription(string Summary, string ObjectKind, string ObjectName);

/// <summary>
/// One summary per event type, naming people and objects by name. A new event type needs a line here: a test
/// compares this list with every event type Marten knows.
/// </summary>
public static class AuditDescriptions
{
    private static readonly Dictionary<Type, Func<object, IAuditNames, AuditDescription>> ByType = [];
    private static readonly Dictionary<string, Type> ByName = new(StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyCollection<Type> KnownTypes => ByType.Keys;

    /// <summary>The event types by name, as the audit trail spells them, sorted.</summary>
    public static IReadOnlyList<string> KnownNames { get; }

    public static Type? Find(string typeName) => ByName.GetValueOrDefault(typeName);

    public static AuditDescription? Describe(object @event, IAuditNames names) =>
        ByType.TryGetValue(@event.GetType(), out var describe) ? describe(@event, names) : null;

    private const string UserKind = "user", TokenKind = "API token", ClusterKind = "cluster", WorkspaceKind = "workspace",
        MapKind = "service map", GrantKind = "access grant", AccessRequestKind = "access request", QuotaRequestKind = "quota request",
        WorkloadKind = "workload", BuildDefinitionKind = "build definition", BuildKind = "build", PolicyKind = "security policy", TerminalKind = "terminal session",
        ChannelKind = "notification channel", RouteKind = "notification route",
        PipelineKind = "pipeline", RunKind = "pipeline run",
        AlertRuleKind = "alert rule", AlertKind = "alert", SilenceKind = "silence", ImageRepositoryKind = "image repository",
        ExternalRegistryObject = "external registry", ChartRepositoryObject = "chart repository", RobotKind = "robot account",
        VulnerabilityExceptionKind = "vulnerability exception", ReleaseKind = "chart release";

    static AuditDescriptions()
    {
        // Users
        On<UserRegistered>((e, _) => new($"{e.RegisteredBy.Name} registered {e.UserName} ({e.DisplayName}) as {e.Role}", UserKind, e.UserName));
        On<UserRoleChanged>((e, _) => new($"{e.ChangedBy.Name} changed {e.UserName}'s role from {e.From} to {e.To}", UserKind, e.UserName));
        On<UserDisplayNameChanged>((e, _) => new($"{e.ChangedBy.Name} renamed {e.UserName} to \"{e.DisplayName}\"", UserKind, e.UserName));
        On<UserDeactivated>((e, _) => new($"{e.DeactivatedBy.Name} deactivated {e.UserName}", UserKind, e.UserName));
        On<UserReactivated>((e, _) => new($"{e.ReactivatedBy.Name} reactivated {e.UserName}", UserKind, e.UserName));
        On<PasswordChanged>((e, _) => new(e.ChangedBy.Id == e.UserId
            ? $"{e.UserName} changed their password" : $"{e.ChangedBy.Name} reset {e.UserName}'s password", UserKind, e.UserName));
        On<UserLockedOut>((e, _) => new($"{e.UserName} was locked out after {e.FailedAttempts} wrong passwords" +
            (e.SourceIp is null ? "" : $" from {e.SourceIp}"), UserKind, e.UserName));
        On<UserUnlocked>((e, _) => new($"{e.UnlockedBy.Name} unlocked {e.UserName}", UserKind, e.UserName));

        // Vulnerability exceptions
        On<VulnerabilityExceptionGranted>((e, _) => new($"{e.GrantedBy.Name} accepted {e.VulnerabilityId} in {e.ImagePattern} ({e.WorkspaceName}) " +
            $"until {Time(e.ValidUntil)}{Because(e.Reason)}", VulnerabilityExceptionKind, $"{e.VulnerabilityId} in {e.ImagePattern}"));
        On<VulnerabilityExceptionRevoked>((e, n) => new($"{e.RevokedBy.Name} revoked the exception for {e.VulnerabilityId} in {e.ImagePattern} " +
            $"({n.Workspace(e.WorkspaceId)}){Because(e.Reason)}", VulnerabilityExceptionKind, $"{e.VulnerabilityId} in {e.ImagePattern}"));

        // Registry robot accounts
        On<RobotAccountCreated>((e, _) => new($"{e.CreatedBy.Name} made the {(e.Permission == RobotPermission.PushPull ? "push and pull" : "pull")} robot account {e.UserName} " +
            $"in {e.WorkspaceName}, valid until {Time(e.ValidUntil)}{(e.Purpose is null ? "" : $" ({e.Purpose})")}", RobotKind, e.UserName));
        On<RobotAccountRevoked>((e, _) => new($"{e.RevokedBy.Name} revoked the robot account {e.UserName}{Because(e.Reason)}", RobotKind, e.UserName));
        On<RobotAccountExpired>((e, _) => new($"The robot account {e.UserName} expired", RobotKind, e.UserName));

        // API tokens
        On<ApiTokenCreated>((e, _) => new(e.CreatedBy.Id == e.UserId
            ? $"{e.UserName} created the API token {e.Name}" : $"{e.CreatedBy.Name} created the API token {e.Name} for {e.UserName}", TokenKind, e.Name));
        On<ApiTokenRevoked>((e, n) => new($"{e.RevokedBy.Name} revoked {Possessive(n.User(e.UserId))} API token {e.Name}{Because(e.Reason)}", TokenKind, e.Name));

        // Clusters
        On<ClusterRegistered>((e, _) => new($"{e.RegisteredBy.Name} registered the {e.Provider} cluster {e.Name} ({e.Server}, Kubernetes {e.KubernetesVersion})", ClusterKind, e.Name));
        On<ClusterCredentialsRotated>((e, _) => new($"{e.RotatedBy.Name} rotated {e.Name}'s credentials ({e.CredentialKind})", ClusterKind, e.Name));
        On<ClusterDetailsChanged>((e, _) => new($"{e.ChangedBy.Name} changed {e.Name}'s details" + (e.Region is null ? "" : $" (region {e.Region})"), ClusterKind, e.Name));
        On<ClusterUnregistered>((e, _) => new($"{e.UnregisteredBy.Name} unregistered the cluster {e.Name}{Because(e.Reason)}", ClusterKind, e.Name));
        On<ClusterBecameUnreachable>((e, _) => new($"{e.Name} became unreachable: {e.Error}", ClusterKind, e.Name));
        On<ClusterDegraded>((e, _) => new($"{e.Name} is degraded: {e.Reason}", ClusterKind, e.Name));
        On<ClusterRecovered>((e, _) => new($"{e.Name} recovered (was {e.From})", ClusterKind, e.Name));
        On<ClusterVersionChanged>((e, _) => new($"{e.Name} moved from Kubernetes {e.From} to {e.To}", ClusterKind, e.Name));
        On<ClusterCredentialExpiryWarned>((e, _) => new($"Cocktail warned that {e.Name}'s credential expires at {Time(e.ExpiresAt)}", ClusterKind, e.Name));
        On<Cocktail.Domain.Monitoring.ClusterMonitoringConfigured>((e, _) => new($"{e.ConfiguredBy.Name} set {Possessive(e.Name)} Prometheus to {e.Location.Describe()}", ClusterKind, e.Name));
        On<Cocktail.Domain.Monitoring.ClusterMonitoringCleared>((e, _) => new($"{e.ClearedBy.Name} removed {Possessive(e.Name)} Prometheus location", ClusterKind, e.Name));
        // The image gate of a cluster, and what its webhook answered
        On<Cocktail.Domain.ImageScanning.ClusterImageGateConfigured>((e, _) => new($"{e.ConfiguredBy.Name} set {Possessive(e.Name)} image gate webhook URL to {e.WebhookUrl}", ClusterKind, e.Name));
        On<Cocktail.Domain.ImageScanning.ClusterImageGateCleared>((e, _) => new($"{e.ClearedBy.Name} removed {Possessive(e.Name)} image gate", ClusterKind, e.Name));
        On<Cocktail.Domain.ImageScanning.ClusterImageGateApplied>((e, _) => new(e.WebhookUrl is null
            ? $"Cocktail removed the image gate webhook from {e.Name}" : $"Cocktail registered the image gate webhook on {e.Name}", ClusterKind, e.Name));
        On<Cocktail.Domain.ImageScanning.ClusterImageGateApplyFailed>((e, _) => new($"{e.Name} refused the image gate webhook: {e.Reason}", ClusterKind, e.Name));
        On<Cocktail.Domain.ImageScanning.ImageAdmissionDecided>((e, _) => new(
            $"{e.ClusterName} {(e.Allowed ? "admitted" : "refused")} {e.Operation} of {e.Kind} {e.Namespace}/{e.Name} " +
            $"({string.Join(", ", e.Images)}){(e.RepeatCount > 1 ? $", {e.RepeatCount} times" : "")}{(e.Allowed ? "" : ": " + e.Message)}",
            ClusterKind, e.ClusterName));
        On<AuditWebhookSecretCreated>((e, _) => new($"{e.By.Name} created a new audit webhook secret for {e.ClusterName}", ClusterKind, e.ClusterName));
        On<Logs.SettingUpCollection.LogIngestTokenCreated>((e, _) => new(
            $"{e.By.Name} {(e.Replaced ? "rotated" : "created")} {Possessive(e.ClusterName)} log collection token", ClusterKind, e.ClusterName));

        // Workspaces and their clusters
        On<WorkspaceCreated>((e, _) => new($"{e.CreatedBy.Name} created the workspace {e.Name}", WorkspaceKind, e.Name));
        On<WorkspaceDetailsChanged>((e, _) => new($"{e.ChangedBy.Name} changed the workspace {e.Name}'s details", WorkspaceKind, e.Name));
        On<WorkspaceMemberAdded>((e, _) => new($"{e.AddedBy.Name} added {e.UserName} to {e.WorkspaceName} as {e.Role}", WorkspaceKind, e.WorkspaceName));
        On<WorkspaceMemberRoleChanged>((e, _) => new($"{e.ChangedBy.Name} changed {Possessive(e.UserName)} role in {e.WorkspaceName} from {e.From} to {e.To}", WorkspaceKind, e.WorkspaceName));
        On<WorkspaceMemberRemoved>((e, _) => new($"{e.RemovedBy.Name} removed {e.UserName} from {e.WorkspaceName}{Because(e.Reason)}", WorkspaceKind, e.WorkspaceName));
        On<WorkspaceDeleted>((e, _) => new($"{e.DeletedBy.Name} deleted the workspace {e.Name}{Because(e.Reason)}", WorkspaceKind, e.Name));
        On<WorkspaceLogRetentionSet>((e, _) => new($"{e.SetBy.Name} set {Possessive(e.WorkspaceName)} log retention to {e.Days} days (was {e.PreviousDays})", WorkspaceKind, e.WorkspaceName));
        On<LogsExported>((e, _) => new($"{e.ExportedBy.Name} exported {e.Rows} log lines as {e.Format} ({e.Query})", "log export", e.ExportId.ToString()));
        On<ClusterAssignedToWorkspace>((e, _) => new($"{e.AssignedBy.Name} assigned {e.ClusterName} to {e.WorkspaceName} ({e.Mode}, quota {Quota(e.Quota)})", WorkspaceKind, e.WorkspaceName));
        On<WorkspaceAssignmentChanged>((e, _) => new($"{e.ChangedBy.Name} changed {Possessive(e.WorkspaceName)} share of {e.ClusterName}: " +
            $"{e.FromMode} → {e.ToMode}, quota {Quota(e.FromQuota)} → {Quota(e.ToQuota)}", WorkspaceKind, e.WorkspaceName));
        On<ClusterUnassignedFromWorkspace>((e, _) => new($"{e.UnassignedBy.Name} took {e.ClusterName} from {e.WorkspaceName}{Because(e.Reason)}", WorkspaceKind, e.WorkspaceName));
        On<AssignmentPodSecurityCeilingChanged>((e, _) => new($"{e.ChangedBy.Name} set {Possessive(e.WorkspaceName)} Pod Security ceiling on {e.ClusterName} " +
            $"from {Level(e.From)} to {Level(e.To)}", WorkspaceKind, e.WorkspaceName));
        On<ServiceMapQuotaAllocated>((e, n) => new($"{e.AllocatedBy.Name} set aside {Quota(e.Quota)} of {Possessive(n.Workspace(e.WorkspaceId))} quota on {n.Cluster(e.ClusterId)} for {e.ServiceMapName}", MapKind, e.ServiceMapName));
        On<ServiceMapQuotaChanged>((e, n) => new($"{e.ChangedBy.Name} changed {Possessive(e.ServiceMapName)} quota on {n.Cluster(e.ClusterId)} from {Quota(e.From)} to {Quota(e.To)}", MapKind, e.ServiceMapName));
        On<ServiceMapQuotaReleased>((e, n) => new($"{e.ReleasedBy.Name} released {Possessive(e.ServiceMapName)} quota on {n.Cluster(e.ClusterId)}", MapKind, e.ServiceMapName));

        // Service maps
        On<ServiceMapCreated>((e, _) => new($"{e.CreatedBy.Name} created the service map {e.Name} in {e.WorkspaceName} on {e.ClusterName} " +
            $"(namespace {e.Namespace}, quota {Quota(e.Quota)}, Pod Security {e.PodSecurity})", MapKind, e.Name));
        On<ServiceMapSettingsChanged>((e, _) => new($"{e.ChangedBy.Name} changed {Possessive(e.Name)} settings (Pod Security {e.PodSecurity})", MapKind, e.Name));
        On<ServiceMapBecameReady>((e, n) => new($"{e.Name} is ready on {n.Cluster(e.ClusterId)}", MapKind, e.Name));
        On<ServiceMapReconcileFailed>((e, n) => new($"{n.Cluster(e.ClusterId)} refused {Possessive(e.Name)} objects: {e.Error}", MapKind, e.Name));
        On<DriftCorrected>((e, n) => new($"Cocktail put back {e.Findings?.Count ?? 0} hand-made change(s) to {e.Name} on {n.Cluster(e.ClusterId)}: {string.Join("; ", e.Findings ?? [])}", MapKind, e.Name));
        On<ServiceMapDeletionRequested>((e, n) => new($"{e.RequestedBy.Name} deleted the service map {e.Name} on {n.Cluster(e.ClusterId)}", MapKind, e.Name));
        On<ServiceMapDeleted>((e, n) => new($"The namespace {e.Namespace} of {e.Name} is gone from {n.Cluster(e.ClusterId)}", MapKind, e.Name));

        // Quota requests
        On<QuotaRequested>((e, _) => new($"{e.RequestedBy.Name} asked for {Quota(e.Requested)} (now {Quota(e.Current)}) for {e.ServiceMapName ?? e.WorkspaceName} on {e.ClusterName}: {e.Reason}",
            QuotaRequestKind, e.ServiceMapName ?? e.WorkspaceName));
        On<QuotaRequestApproved>((e, n) => new($"{e.ApprovedBy.Name} approved {Quota(e.Granted)} for {QuotaTarget(n, e.ServiceMapId, e.WorkspaceId)} on {n.Cluster(e.ClusterId)}",
            QuotaRequestKind, QuotaTarget(n, e.ServiceMapId, e.WorkspaceId)));
        On<QuotaRequestRejected>((e, n) => new($"{e.RejectedBy.Name} rejected the quota request for {QuotaTarget(n, e.ServiceMapId, e.WorkspaceId)} on {n.Cluster(e.ClusterId)}{Because(e.Reason)}",
            QuotaRequestKind, QuotaTarget(n, e.ServiceMapId, e.WorkspaceId)));

        // Access grants and requests
        On<ClusterAccessGranted>((e, n) => new($"{e.GrantedBy.Name} granted {e.UserName} {e.Role.ClusterRoleName()} on {Target(n, e.Scope, e.ServiceMapId, e.Namespace, e.ClusterName)} " +
            $"from {Time(e.ValidFrom)} until {Time(e.ValidUntil)}{Because(e.Reason)}", GrantKind, Grant(e.UserName, e.Role, Target(n, e.Scope, e.ServiceMapId, e.Namespace, e.ClusterName))));
        On<AccessGrantActivated>((e, n) => new($"{Capital(GrantText(n, e.GrantId, e.UserId))} is set up on {n.Cluster(e.ClusterId)} (service account {e.ServiceAccount})", GrantKind, GrantText(n, e.GrantId, e.UserId)));
        On<AccessGrantActivationFailed>((e, n) => new($"{n.Cluster(e.ClusterId)} refused to set up {GrantText(n, e.GrantId, null)}: {e.Error}", GrantKind, GrantText(n, e.GrantId, null)));
        On<AccessGrantRevoked>((e, n) => new($"{e.RevokedBy.Name} revoked {GrantText(n, e.GrantId, e.UserId, e.UserName)}{Because(e.Reason)}", GrantKind, GrantText(n, e.GrantId, e.UserId, e.UserName)));
        On<AccessGrantExpired>((e, n) => new($"{Capital(GrantText(n, e.GrantId, e.UserId, e.UserName))} expired", GrantKind, GrantText(n, e.GrantId, e.UserId, e.UserName)));
        On<AccessGrantRemovedFromCluster>((e, n) => new($"Cocktail removed {GrantText(n, e.GrantId, null)} from {n.Cluster(e.ClusterId)} (service account {e.ServiceAccount})" +
            (e.Reason is null ? "" : $", {e.Reason}"), GrantKind, GrantText(n, e.GrantId, null)));
        On<AccessGrantExpiryWarned>((e, n) => new($"Cocktail warned {e.UserName} that {GrantText(n, e.GrantId, e.UserId, e.UserName)} ends at {Time(e.ValidUntil)}", GrantKind, GrantText(n, e.GrantId, e.UserId, e.UserName)));
        On<KubeconfigIssued>((e, n) => new($"{e.IssuedTo.Name} downloaded a kubeconfig for {GrantText(n, e.GrantId, e.UserId)} (token until {Time(e.TokenExpiresAt)})", GrantKind, GrantText(n, e.GrantId, e.UserId)));
        On<AccessRequested>((e, n) => new($"{e.UserName} asked for {e.Role.ClusterRoleName()} on {Target(n, e.Scope, e.ServiceMapId, e.ServiceMapName, e.ClusterName)} for {Duration(e.Duration)}{Because(e.Reason)}",
            AccessRequestKind, Grant(e.UserName, e.Role, Target(n, e.Scope, e.ServiceMapId, e.ServiceMapName, e.ClusterName))));
        On<AccessRequestApproved>((e, n) => new($"{e.ApprovedBy.Name} approved {Possessive(n.User(e.UserId))} access request, as {GrantText(n, e.GrantId, e.UserId)}", AccessRequestKind, n.Grant(e.GrantId)?.Target ?? ShortId.Of(e.RequestId)));
        On<AccessRequestRejected>((e, n) => new($"{e.RejectedBy.Name} rejected {Possessive(n.User(e.UserId))} access request{Because(e.Reason)}", AccessRequestKind, n.User(e.UserId)));

        // Workloads
        On<WorkloadDeployed>((e, n) => new($"{e.DeployedBy.Name} deployed the {e.Kind} {e.Name} ({Images(e.Spec)}) to {n.ServiceMap(e.ServiceMapId)} as revision {e.Revision}{Because(e.Reason)}", WorkloadKind, e.Name));
        On<WorkloadUpdated>((e, _) => new($"{e.UpdatedBy.Name} updated {e.Name} to revision {e.Revision} ({Images(e.Spec)}){Because(e.Reason)}", WorkloadKind, e.Name));
        On<WorkloadScaled>((e, _) => new($"{e.ScaledBy.Name} scaled {e.Name} " + (e.Autoscaler is { } a
            ? $"to autoscale between {a.MinReplicas} and {a.MaxReplicas} replicas at {a.CpuTargetPercent} % cpu"
            : $"from {e.FromReplicas?.ToString() ?? "—"} to {e.ToReplicas?.ToString() ?? "—"} replicas") + $" (revision {e.Revision}){Because(e.Reason)}", WorkloadKind, e.Name));
        On<WorkloadRolledBack>((e, _) => new($"{e.RolledBackBy.Name} rolled {e.Name} back to revision {e.ToRevision}, as revision {e.Revision}{Because(e.Reason)}", WorkloadKind, e.Name));
        On<WorkloadDeleted>((e, _) => new($"{e.DeletedBy.Name} deleted the workload {e.Name}{Because(e.Reason)}", WorkloadKind, e.Name));
        On<WorkloadRolloutChanged>((e, _) => new($"{Possessive(e.Name)} rollout is {e.Status}" + (e.Message is null ? "" : $": {e.Message}"), WorkloadKind, e.Name));
        On<WorkloadDriftDetected>((e, _) => new($"{e.Name} was changed on the cluster by hand: {string.Join("; ", e.Findings ?? [])}", WorkloadKind, e.Name));
        On<WorkloadDriftCleared>((e, _) => new($"{e.Name} matches its spec again", WorkloadKind, e.Name));

        // Builds
        On<BuildDefinitionCreated>((e, _) => new($"{e.CreatedBy.Name} defined the build {e.Name} in {e.WorkspaceName}: {e.Source.GitUrl} at {e.Source.Ref} into {e.Source.Repository}:{e.Source.TagTemplate}", BuildDefinitionKind, e.Name));
        On<BuildDefinitionChanged>((e, _) => new($"{e.ChangedBy.Name} changed the build {e.Name}: {e.Source.GitUrl} at {e.Source.Ref} into {e.Source.Repository}:{e.Source.TagTemplate}", BuildDefinitionKind, e.Name));
        On<BuildDefinitionDeleted>((e, _) => new($"{e.DeletedBy.Name} deleted the build {e.Name}", BuildDefinitionKind, e.Name));
        On<BuildQueued>((e, _) => new($"{e.QueuedBy.Name} queued build #{e.Number} of {e.DefinitionName} for {e.Image}" + (e.RerunOf is null ? "" : " (a re-run)"), BuildKind, $"{e.DefinitionName} #{e.Number}"));
        On<BuildStarted>((e, _) => new($"Build #{e.Number} of {e.DefinitionName} started as the Job {e.Namespace}/{e.JobName} on {e.ClusterName}", BuildKind, $"{e.DefinitionName} #{e.Number}"));
        On<BuildSucceeded>((e, _) => new($"Build #{e.Number} of {e.DefinitionName} pushed {e.Image} ({e.Digest}) in {e.Duration.TotalSeconds:0.#} s", BuildKind, $"{e.DefinitionName} #{e.Number}"));
        On<BuildFailed>((e, _) => new($"Build #{e.Number} of {e.DefinitionName} failed: {e.Reason}", BuildKind, $"{e.DefinitionName} #{e.Number}"));
        On<BuildCancelled>((e, _) => new($"{e.CancelledBy.Name} cancelled build #{e.Number} of {e.DefinitionName}{Because(e.Reason)}", BuildKind, $"{e.DefinitionName} #{e.Number}"));
        On<BuildSettingsChanged>((e, _) => new($"{e.ChangedBy.Name} set builds to run on {e.ClusterName} in {e.Namespace} (limits {e.CpuLimit} CPU, {e.MemoryLimit}; {e.ConcurrencyPerWorkspace} at once per workspace; timeout {e.TimeoutMinutes} min)", BuildKind, "build settings"));

        // Pipelines and their runs
        On<PipelineCreated>((e, _) => new($"{e.CreatedBy.Name} created the pipeline {e.Name} in {e.WorkspaceName} ({e.Definition.Stages.Count} stages: {string.Join(" → ", e.Definition.Stages.Select(s => s.Name))})", PipelineKind, e.Name));
        On<PipelineChanged>((e, _) => new($"{e.ChangedBy.Name} changed the pipeline {e.Name} to version {e.Version}{Because(e.Reason)}", PipelineKind, e.Name));
        On<PipelineDeleted>((e, _) => new($"{e.DeletedBy.Name} deleted the pipeline {e.Name}", PipelineKind, e.Name));
        On<PipelineWebhookSecretRotated>((e, _) => new($"{e.RotatedBy.Name} made a new webhook secret for the pipeline {e.Name}", PipelineKind, e.Name));
        On<PipelineRunQueued>((e, _) => new($"{e.QueuedBy.Name} queued run #{e.Number} of {e.PipelineName} ({PipelineRunDescribing.Trigger(e.Trigger)})", RunKind, $"{e.PipelineName} #{e.Number}"));
        On<PipelineRunStarted>((e, _) => new($"Run #{e.Number} of {e.PipelineName} started", RunKind, $"{e.PipelineName} #{e.Number}"));
        On<PipelineStepStarted>((e, _) => new($"Stage {e.Stage} ({e.Kind}) started", RunKind, e.Stage));
        On<PipelineStepLogged>((e, _) => new($"Stage {e.Stage} logged {e.Lines.Count} line(s)", RunKind, e.Stage));
        On<PipelineBuildQueued>((e, _) => new($"Stage {e.Stage} queued build #{e.BuildNumber}", RunKind, e.Stage));
        On<PipelineDeployApplied>((e, _) => new($"Stage {e.Stage} set {e.Image} on {string.Join(", ", e.Workloads.Select(w => $"{w.Workload} ({w.ServiceMapName}) revision {w.Revision}"))}", RunKind, e.Stage));
        On<PipelineRolloutObserved>((e, _) => new($"{e.Workload} ({e.ServiceMapName}) revision {e.Revision} is {e.Status}", RunKind, e.Stage));
        On<PipelineStepSucceeded>((e, _) => new($"Stage {e.Stage} succeeded in {e.Duration.TotalSeconds:0.#} s: {e.Summary}", RunKind, e.Stage));
        On<PipelineStepFailed>((e, _) => new($"Stage {e.Stage} failed after {e.Duration.TotalSeconds:0.#} s: {e.Reason}", RunKind, e.Stage));
        On<PipelineDeployRolledBack>((e, _) => new($"Stage {e.Stage} rolled {e.Workload} back from revision {e.FromRevision} to {e.ToRevision}", RunKind, e.Stage));
        On<PipelineDeployed>((e, _) => new($"Run #{e.RunNumber} of {e.PipelineName} deployed {e.Artifact.Reference} to {e.Stage}{(e.Production ? " (production)" : "")}" + (e.ApprovedBy is null ? "" : $", approved by {e.ApprovedBy.Name}"), RunKind, $"{e.PipelineName} #{e.RunNumber}"));
        On<PipelineDeployFailed>((e, _) => new($"The deploy to {e.Stage} failed{(e.RolledBack ? " and was rolled back" : "")}: {e.Reason}", RunKind, e.Stage));
        On<ApprovalRequested>((e, _) => new($"Run #{e.RunNumber} of {e.PipelineName} waits for a {e.Role} to approve {e.Stage}", RunKind, $"{e.PipelineName} #{e.RunNumber}"));
        On<ApprovalGiven>((e, _) => new($"{e.ApprovedBy.Name} approved {e.Stage}" + (e.Comment is null ? "" : $": {e.Comment}"), RunKind, e.Stage));
        On<ApprovalRejected>((e, _) => new($"{e.RejectedBy.Name} rejected {e.Stage}: {e.Reason}", RunKind, e.Stage));
        On<PipelineRunSucceeded>((e, _) => new($"Run #{e.Number} of {e.PipelineName} succeeded in {e.Duration.TotalSeconds:0.#} s", RunKind, $"{e.PipelineName} #{e.Number}"));
        On<PipelineRunFailed>((e, _) => new($"Run #{e.Number} of {e.PipelineName} failed{(e.Stage is null ? "" : $" at {e.Stage}")}: {e.Reason}", RunKind, $"{e.PipelineName} #{e.Number}"));
        On<PipelineRunCancelled>((e, _) => new($"{e.CancelledBy.Name} cancelled run #{e.Number} of {e.PipelineName}{Because(e.Reason)}", RunKind, $"{e.PipelineName} #{e.Number}"));

        // Notification channels and routes (their secrets are never in the events: only whether they changed)
        On<NotificationChannelCreated>((e, n) => new($"{e.CreatedBy.Name} created the {e.Type} channel {e.Name} for {Scope(n, e.WorkspaceId, e.WorkspaceName)}", ChannelKind, e.Name));
        On<NotificationChannelChanged>((e, _) => new($"{e.ChangedBy.Name} changed the channel {e.Name}" + (e.Enabled ? "" : " (disabled)") +
            (e.SecretsReplaced ? ", with new secrets" : ""), ChannelKind, e.Name));
        On<NotificationChannelRemoved>((e, _) => new($"{e.RemovedBy.Name} removed the channel {e.Name}{Because(e.Reason)}", ChannelKind, e.Name));
        On<NotificationRouteCreated>((e, n) => new($"{e.CreatedBy.Name} created the route {e.Name} for {Scope(n, e.WorkspaceId, e.WorkspaceName)} " +
            $"({RouteText(e.Spec)})", RouteKind, e.Name));
        On<NotificationRouteChanged>((e, _) => new($"{e.ChangedBy.Name} changed the route {e.Name} ({RouteText(e.Spec)})", RouteKind, e.Name));
        On<NotificationRouteRemoved>((e, _) => new($"{e.RemovedBy.Name} removed the route {e.Name}{Because(e.Reason)}", RouteKind, e.Name));

        // External registries (their secrets are never in the events: only whether one was replaced)
        On<ExternalRegistryAdded>((e, _) => new($"{e.AddedBy.Name} added the {ExternalRegistryRules.Label(e.Kind)} registry {e.Name} ({e.Server}, as {e.UserName}) to {e.WorkspaceName}",
            ExternalRegistryObject, e.Name));
        On<ExternalRegistryChanged>((e, _) => new($"{e.ChangedBy.Name} changed the registry {e.Name} of {e.WorkspaceName} ({e.Server}, as {e.UserName})" +
            (e.SecretReplaced ? ", with a new secret" : ""), ExternalRegistryObject, e.Name));
        On<ExternalRegistryRemoved>((e, _) => new($"{e.RemovedBy.Name} removed the registry {e.Name} from {e.WorkspaceName}{Because(e.Reason)}", ExternalRegistryObject, e.Name));

        // Chart repositories
        On<ChartRepositoryAdded>((e, n) => new($"{e.AddedBy.Name} added the chart repository {e.Name} ({e.Url}), visible to {Visibility(e.Visibility, n)}{Because(e.Reason)}",
            ChartRepositoryObject, e.Name));
        On<ChartRepositoryVisibilityChanged>((e, n) => new(
            $"{e.ChangedBy.Name} made the chart repository {e.Name} visible to {Visibility(e.After, n)} instead of {Visibility(e.Before, n)}{Because(e.Reason)}",
            ChartRepositoryObject, e.Name));
        On<ChartRepositoryRemoved>((e, _) => new($"{e.RemovedBy.Name} removed the chart repository {e.Name}{Because(e.Reason)}", ChartRepositoryObject, e.Name));

        // Security policies
        On<SecurityPolicyChanged>((e, n) =>
        {
            var target = e.Scope == PolicyScope.Workspace ? n.Workspace(e.TargetId) : n.ServiceMap(e.TargetId);
            return new($"{e.ChangedBy.Name} changed the security policy of the {(e.Scope == PolicyScope.Workspace ? "workspace" : "service map")} {target}: {PolicyChanges(e.Before, e.After)}",
                PolicyKind, target);
        });

        // Terminal sessions
        On<TerminalSessionStarted>((e, _) => new($"{e.StartedBy.Name} opened a terminal on {e.Namespace}/{e.Pod} ({e.Container}) in {e.ClusterName}: {string.Join(' ', e.Command)}",
            TerminalKind, $"{e.Namespace}/{e.Pod}"));
        On<TerminalSessionEnded>((e, _) => new((e is { StartedBy: { } by, Target: { } target }
                ? $"{Possessive(by)} terminal on {target} ended" : "A terminal session ended") +
            $" after {Seconds(e.Duration)}: {e.Reason}" + (e.RecordingTruncated ? " (recording truncated)" : ""),
            TerminalKind, e.Target ?? ShortId.Of(e.SessionId)));

        // Alerts
        On<AlertRuleSaved>((e, n) => new(e.Before is null
            ? $"{e.By.Name} created the alert rule {e.After.Name} in {AlertScope(n, e.WorkspaceId)}"
            : $"{e.By.Name} changed the alert rule {e.After.Name} in {AlertScope(n, e.WorkspaceId)}: {RuleChanges(e.Before, e.After)}", AlertRuleKind, e.After.Name));
        On<AlertRuleDeleted>((e, n) => new($"{e.By.Name} deleted the alert rule {e.Before.Name} in {AlertScope(n, e.WorkspaceId)}", AlertRuleKind, e.Before.Name));
        On<AlertFired>((e, n) => new($"{e.RuleName} fired ({e.Severity.ToString().ToLowerInvariant()}) in {AlertScope(n, e.WorkspaceId)}: {e.Summary}", AlertKind, e.RuleName));
        On<AlertResolved>((e, _) => new($"{e.RuleName} resolved{Because(e.Reason)}", AlertKind, e.RuleName));
        On<AlertAcknowledged>((e, _) => new($"{e.By.Name} acknowledged {e.RuleName}{Because(e.Note)}", AlertKind, e.RuleName));
        On<AlertSilenced>((e, n) => new($"{e.By.Name} silenced alerts in {AlertScope(n, e.WorkspaceId)} matching {Matchers(e.Matchers)} until {Time(e.Until)}{Because(e.Reason)}",
            SilenceKind, Matchers(e.Matchers)));
        On<SilenceExpired>((e, _) => e.Matchers is { Count: > 0 } m
            ? new($"The silence of {string.Join(", ", m.Select(x => x.Name + x.Operator + "\"" + x.Value + "\""))} ended", SilenceKind, string.Join(",", m.Select(x => x.Name + x.Operator + x.Value)))
            : new($"A silence ended ({ShortId.Of(e.SilenceId)})", SilenceKind, ShortId.Of(e.SilenceId)));
        On<AlertmanagerSecretCreated>((e, _) => new($"{e.By.Name} created a new Alertmanager webhook secret for {e.ClusterName}", ClusterKind, e.ClusterName));

        // Registry images
        On<ImagePushed>((e, _) => new($"{e.PushedBy} pushed {e.Repository}:{e.Tag} ({ShortDigest(e.Digest)}, {Bytes(e.Size)})", ImageRepositoryKind, e.Repository));
        On<ImageInspected>((e, _) => new($"Cocktail read the config of {e.Repository}@{ShortDigest(e.Digest)}" +
            (e.CreatedAt is { } created ? $": built {Time(created)}" : "") + (e.Platform is { } platform ? $" for {platform}" : ""), ImageRepositoryKind, e.Repository));
        On<ImageTagDeleted>((e, _) => new($"{e.DeletedBy.Name} deleted {e.Repository}:{e.Tag} ({ShortDigest(e.Digest)}){Because(e.Reason)}", ImageRepositoryKind, e.Repository));
        On<RetentionRuleChanged>((e, _) => new(e.KeepLast is null && e.KeepNewerThanDays is null
            ? $"{e.ChangedBy.Name} removed the retention rule of {e.Repository}"
            : $"{e.ChangedBy.Name} set the retention rule of {e.Repository}: {new RetentionRule(e.KeepLast, e.KeepNewerThanDays).Describe()}", ImageRepositoryKind, e.Repository));

        // Clusters created through Cluster API, and management clusters
        On<ClusterProvisionRequested>((e, _) => new($"{e.RequestedBy.Name} requested cluster '{e.Blueprint.Name}' ({Blueprint(e.Blueprint)}) on '{e.ManagementClusterName}'{Because(e.Reason)}",
            ClusterKind, e.Blueprint.Name));
        On<ClusterObjectsApplied>((e, _) => new($"Cocktail applied the {e.Objects?.Count ?? 0} Cluster API object(s) of cluster '{e.Name}'", ClusterKind, e.Name));
        On<ClusterObjectsApplyFailed>((e, _) => new($"The management cluster refused the objects of cluster '{e.Name}': {e.Error}", ClusterKind, e.Name));
        On<ClusterConditionChanged>((e, _) => new($"Cluster '{e.Name}' reported {e.Condition} {e.Status}" +
            (e.Reason is null ? "" : $" ({e.Reason})") + (string.IsNullOrWhiteSpace(e.Message) ? "" : $": {e.Message}"), ClusterKind, e.Name));
        On<ClusterProvisioned>((e, _) => new($"Cluster '{e.Name}' is provisioned, on Kubernetes {e.KubernetesVersion}", ClusterKind, e.Name));
        On<ClusterProvisioningFailed>((e, _) => new($"Provisioning cluster '{e.Name}' failed: {e.Reason}: {e.Message}", ClusterKind, e.Name));
        On<ProvisionedClusterRegistered>((e, n) => new($"Cocktail registered the new cluster '{e.Name}' as {n.Cluster(e.ClusterId)}", ClusterKind, e.Name));
        On<ClusterUpgradeRequested>((e, _) => new($"{e.RequestedBy.Name} requested upgrading cluster '{e.Name}' from {e.From} to {e.To} " +
            $"({string.Join(", then ", (e.Steps ?? []).Select(Part))}){Because(e.Reason)}", ClusterKind, e.Name));
        On<ClusterUpgradeStepStarted>((e, _) => new($"Cocktail started upgrading the {Part(e.Step)} of cluster '{e.Name}' to {e.To}", ClusterKind, e.Name));
        On<ClusterUpgradeStepCompleted>((e, _) => new($"The {Part(e.Step)} of cluster '{e.Name}' runs {e.To}", ClusterKind, e.Name));
        On<ClusterUpgraded>((e, _) => new($"Cluster '{e.Name}' was upgraded from {e.From} to {e.To}", ClusterKind, e.Name));
        On<ClusterUpgradeFailed>((e, _) => new($"Upgrading the {Part(e.Step)} of cluster '{e.Name}' to {e.To} failed: {e.Reason}: {e.Message}", ClusterKind, e.Name));
        On<NodePoolScaled>((e, _) => new($"{e.ScaledBy.Name} scaled the node pool '{e.Pool}' of cluster '{e.Name}' from {e.From} to {e.To} node(s){Because(e.Reason)}",
            ClusterKind, e.Name));
        On<NodePoolAutoscalingChanged>((e, _) => new(e.MinSize is { } min && e.MaxSize is { } max
            ? $"{e.ChangedBy.Name} set the node pool '{e.Pool}' of cluster '{e.Name}' to autoscale between {min} and {max} node(s){Because(e.Reason)}"
            : $"{e.ChangedBy.Name} turned off autoscaling of the node pool '{e.Pool}' of cluster '{e.Name}'{Because(e.Reason)}", ClusterKind, e.Name));
        On<NodePoolAdded>((e, _) => new($"{e.AddedBy.Name} added the node pool '{e.Pool.Name}' ({e.Pool.Replicas} × {e.Pool.MachineType}) to cluster '{e.Name}'{Because(e.Reason)}",
            ClusterKind, e.Name));
        On<NodePoolRemoved>((e, _) => new($"{e.RemovedBy.Name} removed the node pool '{e.Pool}' from cluster '{e.Name}'{Because(e.Reason)}", ClusterKind, e.Name));
        On<ClusterDeletionRequested>((e, _) => new($"{e.RequestedBy.Name} requested deleting cluster '{e.Name}' and its machines{Because(e.Reason)}", ClusterKind, e.Name));
        On<ClusterDeleted>((e, _) => new($"Cluster '{e.Name}' is gone from its management cluster", ClusterKind, e.Name));
        On<ClusterApiManagementEnabled>((e, _) => new($"{e.EnabledBy.Name} enabled Cluster API management on '{e.Name}' (" +
            (e.Infrastructures is { Count: > 0 } found ? string.Join(", ", found.Select(i => InfrastructureCatalog.Get(i).DisplayName)) : "no infrastructure provider") +
            (e.ClusterClasses ? ", ClusterClasses" : "") + ")", ClusterKind, e.Name));
        On<ClusterApiManagementDisabled>((e, _) => new($"{e.DisabledBy.Name} disabled Cluster API management on '{e.Name}'{Because(e.Reason)}", ClusterKind, e.Name));

        // Chart releases: cluster addons and charts teams install into their service maps (through Flux)
        On<ChartReleaseInstallRequested>((e, n) => new($"{e.RequestedBy.Name} installed {e.Source.Chart} {e.Version} as '{e.Name}' " +
            (e.Target.ServiceMapId is { } map ? $"into {n.ServiceMap(map)}" : $"on cluster '{e.Target.ClusterName}' in {e.Target.Namespace}") +
            $"{ValueCount(e.Values)}{Because(e.Reason)}", ReleaseKind, Release(e.Name, e.Target.ClusterName)));
        On<ChartReleaseValuesChanged>((e, _) => new($"{e.ChangedBy.Name} changed the values of '{e.Name}' on cluster '{e.ClusterName}' (revision {e.Revision}){Because(e.Reason)}",
            ReleaseKind, Release(e.Name, e.ClusterName)));
        On<ChartReleaseUpgradeRequested>((e, _) => new($"{e.RequestedBy.Name} upgraded '{e.Name}' on cluster '{e.ClusterName}' from {e.From} to {e.To} (revision {e.Revision}){Because(e.Reason)}",
            ReleaseKind, Release(e.Name, e.ClusterName)));
        On<ChartReleaseRollbackRequested>((e, _) => new($"{e.RequestedBy.Name} rolled '{e.Name}' on cluster '{e.ClusterName}' back to revision {e.ToRevision} ({e.From} to {e.To}){Because(e.Reason)}",
            ReleaseKind, Release(e.Name, e.ClusterName)));
        On<ChartReleaseUninstallRequested>((e, _) => new($"{e.RequestedBy.Name} uninstalled '{e.Name}' ({e.Version}) from cluster '{e.ClusterName}'{Because(e.Reason)}",
            ReleaseKind, Release(e.Name, e.ClusterName)));
        On<ChartReleaseApplied>((e, _) => new($"Cocktail wrote the Flux objects of '{e.Name}' revision {e.Revision} on cluster '{e.ClusterName}'", ReleaseKind, Release(e.Name, e.ClusterName)));
        On<ChartReleaseApplyFailed>((e, _) => new($"Cluster '{e.ClusterName}' refused the Flux objects of '{e.Name}' revision {e.Revision}: {e.Error}", ReleaseKind, Release(e.Name, e.ClusterName)));
        On<ChartReleaseDeployed>((e, _) => new($"Flux deployed '{e.Name}' {e.ChartVersion}" + (e.AppVersion is { } app ? $" (app {app})" : "") +
            $" on cluster '{e.ClusterName}' as Helm revision {e.HelmRevision}", ReleaseKind, Release(e.Name, e.ClusterName)));
        On<ChartReleaseFailed>((e, _) => new($"'{e.Name}' failed on cluster '{e.ClusterName}': {e.Reason}: {e.Message}", ReleaseKind, Release(e.Name, e.ClusterName)));
        On<ChartReleaseRemediated>((e, _) => new($"Flux remediated '{e.Name}' on cluster '{e.ClusterName}': {e.Reason}" +
            (string.IsNullOrWhiteSpace(e.Message) ? "" : $": {e.Message}"), ReleaseKind, Release(e.Name, e.ClusterName)));
        On<FluxInstalled>((e, _) => new($"{e.InstalledBy.Name} installed Flux on cluster '{e.ClusterName}' from {e.Source} ({e.Objects} object(s)){Because(e.Reason)}",
            ClusterKind, e.ClusterName));
        On<ChartReleaseUninstalled>((e, _) => new($"'{e.Name}' is uninstalled from cluster '{e.ClusterName}'", ReleaseKind, Release(e.Name, e.ClusterName)));

        KnownNames = ByType.Keys.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
    }

    private static void On<T>(Func<T, IAuditNames, AuditDescription> describe) where T : class
    {
        ByType[typeof(T)] = (e, names) => describe((T)e, names);
        ByName[typeof(T).Name] = typeof(T);
    }

    private static string Seconds(TimeSpan d) => d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes} min {d.Seconds} s" : $"{Math.Max(0, (int)d.TotalSeconds)} s";
    private static string ShortDigest(string digest) => digest.Length > 19 ? digest[..19] : digest;
    private static string Bytes(long size) => size >= 1 << 20 ? $"{size / 1048576.0:0.#} MiB" : size >= 1 << 10 ? $"{size / 1024.0:0.#} KiB" : $"{size} B";
    private static string Part(string step) => step == UpgradeStep.ControlPlane ? "control plane" : $"node pool '{step}'";

    private static string Blueprint(ClusterBlueprint b)
    {
        var info = InfrastructureCatalog.All.FirstOrDefault(i => i.Kind == b.Infrastructure);
        var controlPlane = info?.ManagedControlPlane == true ? "managed control plane"
            : $"{b.ControlPlane?.Replicas ?? 0} control plane machine{((b.ControlPlane?.Replicas ?? 0) == 1 ? "" : "s")}";
        var pools = b.NodePools?.Count ?? 0;
        return $"{info?.DisplayName ?? b.Infrastructure.ToString()}, {b.KubernetesVersion}, {controlPlane}, {pools} node pool{(pools == 1 ? "" : "s")}" +
            (b.ClusterClass is null ? "" : $", ClusterClass {b.ClusterClass}");
    }

    private static string Visibility(ChartVisibility visibility, IAuditNames names) =>
        visibility.AllWorkspaces ? "every workspace"
            : visibility.WorkspaceIds.Count == 0 ? "no workspace"
            : (visibility.WorkspaceIds.Count == 1 ? "the workspace " : "the workspaces ") + string.Join(", ", visibility.WorkspaceIds.Select(names.Workspace));

    private static string Release(string name, string cluster) => $"{name} on {cluster}";

    private static string ValueCount(System.Text.Json.Nodes.JsonObject? values) => values is { Count: > 0 } ? $" with {values.Count} top-level value(s) set" : "";

    private static string Because(string? reason) => string.IsNullOrWhiteSpace(reason) ? "" : $": {reason.Trim()}";
    private static string Possessive(string name) => name.EndsWith('s') ? name + "'" : name + "'s";
    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm") + " UTC";
    private static string Level(PodSecurityLevel? level) => level?.ToString() ?? "the default";
    private static string Duration(TimeSpan d) => d.TotalDays >= 1 && d.TotalDays % 1 == 0 ? $"{d.TotalDays:0} day(s)" : $"{d.TotalHours:0.#} hour(s)";
    private static string Grant(string user, AccessRole role, string target) => $"{Possessive(user)} {role.ClusterRoleName()} on {target}";

    private static string Quota(Quota q)
    {
        var parts = new[] { ("cpu", q.Cpu), ("memory", q.Memory), ("gpu", q.Gpu), ("storage", q.Storage), ("pods", q.Pods) }
            .Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => $"{p.Item1} {p.Item2}").ToList();
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
    }

    private static string Target(IAuditNames names, AccessScope scope, Guid? serviceMapId, string? serviceMapOrNamespace, string clusterName)
    {
        if (scope != AccessScope.ServiceMap) return clusterName;
        if (serviceMapId is { } id && names.ServiceMap(id) is var name && names.Knows(id)) return name;
        return $"{serviceMapOrNamespace ?? "a service map"} ({clusterName})";
    }

    private static string QuotaTarget(IAuditNames names, Guid? serviceMapId, Guid workspaceId) =>
        serviceMapId is { } id ? names.ServiceMap(id) : names.Workspace(workspaceId);

    private static string GrantText(IAuditNames names, Guid grantId, Guid? userId, string? userName = null) =>
        names.Grant(grantId) is { } grant
            ? $"{Possessive(grant.UserName)} {grant.Role} on {grant.Target}"
            : $"{GrantHolder(names, userId, userName)}grant {ShortId.Of(grantId)}";

    private static string GrantHolder(IAuditNames names, Guid? userId, string? userName) =>
        (userName ?? (userId is { } id ? names.User(id) : null)) is { } user ? Possessive(user) + " " : "";

    private static string Images(WorkloadSpec? spec) => string.Join(", ", spec?.Containers?.Select(c => c.Image) ?? []);

    private static string AlertScope(IAuditNames names, Guid? workspaceId) => workspaceId is { } id ? names.Workspace(id) : "the platform";

    private static string Matchers(IEnumerable<LabelMatcher> matchers) =>
        "{" + string.Join(", ", matchers.Select(m => $"{m.Name}{m.Operator}\"{m.Value}\"")) + "}";

    private static string RuleChanges(AlertRuleDefinition before, AlertRuleDefinition after)
    {
        var changes = new List<string>();
        void Compare(string name, object? from, object? to)
        {
            if (!Equals(from, to)) changes.Add($"{name} {from ?? "none"} → {to ?? "none"}");
        }
        Compare("name", before.Name, after.Name);
        Compare("expression", before.Expression, after.Expression);
        Compare("for", before.For, after.For);
        Compare("severity", before.Severity, after.Severity);
        Compare("threshold", before.Threshold, after.Threshold);
        Compare("enabled", before.Enabled, after.Enabled);
        Compare("summary", before.SummaryTemplate, after.SummaryTemplate);
        var (beforeLabels, afterLabels) = (string.Join(", ", before.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")),
            string.Join(", ", after.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")));
        if (beforeLabels != afterLabels) changes.Add($"labels [{beforeLabels}] → [{afterLabels}]");
        return changes.Count == 0 ? "no setting changed" : string.Join("; ", changes);
    }

    private static string PolicyChanges(SecurityPolicy before, SecurityPolicy after)
    {
        var changes = new List<string>();
        void Compare(string name, object? from, object? to)
        {
            if (!Equals(from, to)) changes.Add($"{name} {from ?? "none"} → {to ?? "none"}");
        }
        Compare("Pod Security", before.PodSecurity, after.PodSecurity);
        var (beforeRegistries, afterRegistries) = (string.Join(", ", before.Registries), string.Join(", ", after.Registries));
        if (beforeRegistries != afterRegistries) changes.Add($"registries [{beforeRegistries}] → [{afterRegistries}]");
        Compare("no latest tag", before.ForbidLatestTag, after.ForbidLatestTag);
        Compare("limits required", before.RequireLimits, after.RequireLimits);
        Compare("no privilege escalation", before.ForbidPrivilegeEscalation, after.ForbidPrivilegeEscalation);
        Compare("no host paths", before.ForbidHostPath, after.ForbidHostPath);
        Compare("replica ceiling", before.MaxReplicas, after.MaxReplicas);
        if (before.ImageRules != after.ImageRules) changes.Add($"image rules [{ImageRules(before.ImageRules)}] → [{ImageRules(after.ImageRules)}]");
        return changes.Count == 0 ? "no rule changed" : string.Join("; ", changes);
    }

    private static string ImageRules(ImageScanPolicy p)
    {
        var parts = new List<string>();
        if (p.BlockCritical) parts.Add("block critical");
        if (p.MaxHigh is { } high) parts.Add($"at most {high} high");
        if (p.OnlyWithFix) parts.Add("only with a fix");
        if (p.RequireScan) parts.Add("scan required");
        if (p.MaxScanAgeDays is { } days) parts.Add($"scan at most {days} days old");
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    private static string Scope(IAuditNames names, Guid? workspaceId, string? workspaceName) =>
        workspaceId is { } id ? "the workspace " + (workspaceName ?? names.Workspace(id)) : "the platform";

    private static string RouteText(RouteSpec spec) =>
        $"{(spec.Severities.Count == 0 ? "any severity" : string.Join("/", spec.Severities))}" +
        (spec.Matchers.Count == 0 ? "" : ", " + string.Join(", ", spec.Matchers.Select(m => $"{m.Name}{m.Operator}\"{m.Value}\""))) +
        $", to {spec.ChannelIds.Count} channel(s), repeat every {Every(spec.RepeatInterval)}";

    private static string Every(TimeSpan d) =>
        d.TotalHours >= 1 ? $"{d.TotalHours:0.#} h" : d.TotalMinutes >= 1 ? $"{d.TotalMinutes:0.#} min" : $"{d.TotalSeconds:0} s";
}
