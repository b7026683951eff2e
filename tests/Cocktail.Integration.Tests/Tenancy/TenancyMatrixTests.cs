using System.Net;
using System.Net.Http.Json;
using System.Text;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Workloads;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Tenancy;

/// <summary>
/// Every operation of the running app's OpenAPI document, called with workspace A's ids by an anonymous client,
/// by a member of workspace B (an admin there, on the same shared cluster), by A's viewer and by an auditor. Each
/// operation has an expectation below; a new operation without one fails the test instead of going unchecked.
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class TenancyMatrixTests(TenancyApp app)
{
    /// <summary>What an operation is, for the callers of the matrix.</summary>
    private enum Kind
    {
        /// <summary>Reads one of A's objects: members of A and auditors read, strangers are refused.</summary>
        MemberRead,
        /// <summary>Reads what only platform admins, auditors (and owners) see: strangers and viewers are refused.</summary>
        PrivilegedRead,
        /// <summary>A list or a shared cluster's inventory: everyone signed in gets 200, filtered to what they may see.</summary>
        FilteredRead,
        /// <summary>Changes A's objects or the platform: strangers, viewers and auditors are refused.</summary>
        Write,
        /// <summary>Asks for something an approver decides (an access request): a viewer of A may; strangers and auditors may not.</summary>
        MemberRequest,
        /// <summary>A credential (A's admin's token or password, a webhook secret): refused to everybody else, auditors included.</summary>
        OwnAccount,
        /// <summary>Creates a token for the caller (signed in) or signs in (anonymous).</summary>
        SignIn,
        /// <summary>Authenticated by a cluster's own webhook secret: no user, whatever their role, gets in.</summary>
        ClusterWebhook,
        /// <summary>For anyone, signed in or not (the registry's token realm, the token signing certificate): 200, never anything of A's.</summary>
        Public,
        /// <summary>
        /// The token realm's OAuth2 form: credentials come only from the form, so a caller's API token grants nothing;
        /// the matrix's JSON body is not the form (400), wrong form credentials are 401.
        /// </summary>
        RealmForm,
    }

    private sealed record Expectation(Kind Kind, Func<World, object?>? Body = null, Func<World, string>? Query = null, bool StrangerMay400 = false,
        bool AuditorMay404 = false, bool May409 = false);

    private static Expectation Read(Kind kind = Kind.MemberRead) => new(kind);
    private static Expectation Write(Func<World, object?>? body = null, Func<World, string>? query = null) => new(Kind.Write, body, query);

    private static readonly Dictionary<string, Expectation> Expectations = new()
    {
        ["GET /api/v1/access-grants"] = Read(Kind.FilteredRead),
        // Builds: A's members read definitions, runs and logs; A's developers and admins define, run, cancel, re-run; the
        // build settings are the platform's (no secret in them: everyone signed in reads, platform admins change).
        ["GET /api/v1/workspaces/{id}/build-definitions"] = Read(),
        ["POST /api/v1/workspaces/{id}/build-definitions"] = Write(_ => new { name = "intruder", gitUrl = "https://git.example.com/x.git", repository = "x" }),
        ["GET /api/v1/build-definitions/{id}"] = Read(),
        ["POST /api/v1/build-definitions/{id}/runs"] = Write(_ => new { }),
        ["GET /api/v1/workspaces/{id}/builds"] = Read(),
        ["GET /api/v1/builds/{id}"] = Read(),
        ["GET /api/v1/builds/{id}/log"] = new(Kind.MemberRead, May409: true),
        ["POST /api/v1/builds/{id}/cancel"] = Write(_ => new { reason = "matrix" }),
        ["POST /api/v1/builds/{id}/rerun"] = Write(),
        ["GET /api/v1/platform/builds"] = Read(Kind.FilteredRead),
        // Pipeline runs: A's members read runs; A's developers and admins run, cancel, re-run; approving needs the
        // stage's role (a viewer is refused); the approvals inbox lists only what the caller may approve.
        ["POST /api/v1/pipelines/{id}/runs"] = Write(_ => new { @ref = "main" }),
        ["GET /api/v1/pipelines/{id}/runs"] = Read(),
        ["GET /api/v1/workspaces/{id}/pipeline-runs"] = Read(),
        ["GET /api/v1/pipeline-runs/{id}"] = Read(),
        ["POST /api/v1/pipeline-runs/{id}/cancel"] = Write(_ => new { reason = "matrix" }),
        ["POST /api/v1/pipeline-runs/{id}/rerun"] = Write(),
        ["POST /api/v1/pipeline-runs/{id}/stages/{stage}/approve"] = Write(_ => new { comment = "matrix" }),
        ["POST /api/v1/pipeline-runs/{id}/stages/{stage}/reject"] = Write(_ => new { reason = "matrix" }),
        ["GET /api/v1/approvals"] = Read(Kind.FilteredRead),
        // Pipelines: A's members read definitions, YAML and versions; A's developers and admins define, change, delete and
        // rotate the webhook secret (which only they are ever answered).
        ["GET /api/v1/workspaces/{id}/pipelines"] = Read(),
        ["POST /api/v1/workspaces/{id}/pipelines"] = Write(w => new { definition = MatrixPipeline(w, "intruder") }),
        ["GET /api/v1/pipelines/{id}"] = Read(),
        ["PUT /api/v1/pipelines/{id}"] = Write(w => new { definition = MatrixPipeline(w, "taken-over") }),
        ["DELETE /api/v1/pipelines/{id}"] = Write(),
        ["GET /api/v1/pipelines/{id}/yaml"] = Read(),
        ["PUT /api/v1/pipelines/{id}/yaml"] = Write(_ => new { yaml = "name: taken-over\n" }),
        ["GET /api/v1/pipelines/{id}/versions"] = Read(),
        ["POST /api/v1/pipelines/{id}/webhook-secret"] = Write(),
        ["PUT /api/v1/platform/builds"] = Write(w => new { clusterId = w.A.ClusterId }),
        ["POST /api/v1/access-grants"] = Write(w => new
        {
            userId = w.A.Viewer.Id, clusterId = w.A.ClusterId, scope = "ServiceMap", serviceMapId = w.AMap, role = "admin",
            validUntil = DateTimeOffset.UtcNow.AddHours(2), reason = "matrix",
        }),
        ["GET /api/v1/access-grants/{id}"] = Read(Kind.PrivilegedRead),
        // Downloading a kubeconfig records an event: a write, for the grantee and platform admins only.
        ["GET /api/v1/access-grants/{id}/kubeconfig"] = Write(),
        ["POST /api/v1/access-grants/{id}/revoke"] = Write(_ => new { reason = "matrix" }),
        ["GET /api/v1/access-requests"] = Read(Kind.FilteredRead),
        // A service map the caller may not see is "no such service map" (400 on the field), as for a wrong id.
        ["POST /api/v1/access-requests"] = new(Kind.MemberRequest, w => new
        {
            clusterId = w.A.ClusterId, scope = "ServiceMap", serviceMapId = w.AMap, role = "edit", durationHours = 1, reason = "matrix",
        }, StrangerMay400: true),
        ["POST /api/v1/access-requests/{id}/approve"] = Write(),
        ["POST /api/v1/access-requests/{id}/reject"] = Write(_ => new { reason = "matrix" }),
        // Alerts: a workspace's rules, alerts and silences are its members' (workspaceId=A); the platform's are admins' and auditors'.
        ["GET /api/v1/alert-rules"] = new(Kind.MemberRead, Query: w => $"workspaceId={w.A.WorkspaceId}"),
        ["POST /api/v1/alert-rules"] = Write(w => new { workspaceId = w.A.WorkspaceId, name = "matrix", expression = "up", severity = "Info" }),
        ["PUT /api/v1/alert-rules/{id}"] = Write(w => new { workspaceId = w.A.WorkspaceId, name = "matrix", @for = "0s", severity = "Info", threshold = 3, enabled = false }),
        ["DELETE /api/v1/alert-rules/{id}"] = Write(),
        ["GET /api/v1/alerts"] = new(Kind.MemberRead, Query: w => $"workspaceId={w.A.WorkspaceId}&state=all"),
        ["POST /api/v1/alerts/{id}/acknowledge"] = Write(_ => new { note = "matrix" }),
        ["GET /api/v1/silences"] = new(Kind.MemberRead, Query: w => $"workspaceId={w.A.WorkspaceId}&includeEnded=true"),
        ["POST /api/v1/silences"] = Write(w => new
        {
            workspaceId = w.A.WorkspaceId, matchers = new[] { new { name = "alertname", @operator = "=", value = "x" } }, until = DateTimeOffset.UtcNow.AddHours(1), reason = "matrix",
        }),
        ["GET /api/v1/clusters/{id}/alertmanager-webhook"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/clusters/{id}/alertmanager-webhook/rotate"] = new(Kind.OwnAccount),
        ["POST /api/v1/clusters/{clusterId}/alertmanager"] = new(Kind.ClusterWebhook, _ => new { version = "4", status = "firing", alerts = Array.Empty<object>() }),
        ["GET /api/v1/audit/events"] = Read(Kind.PrivilegedRead),
        ["GET /api/v1/audit/event-types"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/audit/ingest/{clusterId}"] = new(Kind.ClusterWebhook, _ => new { kind = "EventList", apiVersion = "audit.k8s.io/v1", items = Array.Empty<object>() }),
        ["POST /api/v1/audit/ingest/{clusterId}/{secret}"] = new(Kind.ClusterWebhook, _ => new { kind = "EventList", apiVersion = "audit.k8s.io/v1", items = Array.Empty<object>() }),
        ["GET /api/v1/audit/streams/{streamId}"] = Read(Kind.PrivilegedRead),
        // OTLP logs: authenticated by a cluster's log token, never by a user's.
        ["POST /v1/logs"] = new(Kind.ClusterWebhook, _ => new { resourceLogs = Array.Empty<object>() }),
        ["GET /api/v1/auth/tokens"] = Read(Kind.FilteredRead),
        ["POST /api/v1/auth/tokens"] = new(Kind.SignIn, _ => new { name = "matrix", expiresInDays = 1 }),
        ["DELETE /api/v1/auth/tokens/{id}"] = new(Kind.OwnAccount),
        ["GET /api/v1/clusters"] = Read(Kind.FilteredRead),
        ["POST /api/v1/clusters"] = Write(_ => new { name = "intruder", provider = "BareMetal", kubeconfig = "apiVersion: v1\nkind: Config\n" }),
        ["DELETE /api/v1/clusters/{id}"] = Write(),
        ["GET /api/v1/clusters/{id}"] = Read(Kind.FilteredRead),
        ["PATCH /api/v1/clusters/{id}"] = Write(_ => new { region = "elsewhere" }),
        // Cluster API provisioning is the platform's, like registering clusters: platform admins act, auditors read (the
        // management cluster's offer, the provisioned clusters), workspace members and viewers are refused.
        ["GET /api/v1/clusters/{id}/cluster-api"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/clusters/{id}/cluster-api"] = Write(),
        ["DELETE /api/v1/clusters/{id}/cluster-api"] = Write(query: _ => "reason=matrix"),
        // Releases: cluster addons, Flux and the fleet are the platform's (platform admins change, auditors read); a team's
        // releases are its workspace's (members read, developers and admins install and change; another workspace's: 404).
        ["GET /api/v1/clusters/{id}/addons"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/clusters/{id}/addons/{addon}"] = Write(_ => new { reason = "matrix" }),
        ["GET /api/v1/clusters/{id}/flux"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/clusters/{id}/flux"] = Write(_ => new { manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: intruder\n" }),
        ["GET /api/v1/addons/{key}/fleet"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/addons/{key}/fleet-upgrade"] = Write(_ => new { version = "9.9.9" }),
        ["GET /api/v1/workspaces/{id}/releases"] = Read(),
        ["POST /api/v1/workspaces/{id}/releases"] = Write(w => new { serviceMapId = w.AMap, repository = "jetstack", chart = "intruder", version = "1.0.0" }),
        ["GET /api/v1/releases/{id}"] = Read(),
        ["PUT /api/v1/releases/{id}/values"] = Write(_ => new { values = "replicaCount: 9\n" }),
        ["POST /api/v1/releases/{id}/upgrade"] = Write(_ => new { version = "9.9.9" }),
        ["POST /api/v1/releases/{id}/rollback"] = Write(_ => new { revision = 1 }),
        ["DELETE /api/v1/releases/{id}"] = Write(query: _ => "reason=matrix"),
        ["GET /api/v1/provisioned-clusters"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/provisioned-clusters/preview"] = Write(w => MatrixCluster(w)),
        ["POST /api/v1/provisioned-clusters"] = Write(w => MatrixCluster(w)),
        // No provisioned cluster in this world: nobody but a platform admin gets past the role check, auditors meet 404.
        ["GET /api/v1/provisioned-clusters/{id}"] = new(Kind.PrivilegedRead, AuditorMay404: true),
        ["POST /api/v1/provisioned-clusters/{id}/upgrade"] = Write(_ => new { version = "v1.34.0", reason = "matrix" }),
        ["PUT /api/v1/provisioned-clusters/{id}/node-pools/{pool}/replicas"] = Write(_ => new { replicas = 5 }),
        ["PUT /api/v1/provisioned-clusters/{id}/node-pools/{pool}/autoscaling"] = Write(_ => new { minSize = 1, maxSize = 3 }),
        ["POST /api/v1/provisioned-clusters/{id}/node-pools"] = Write(_ => new { name = "intruder", machineType = "m1.large", replicas = 1 }),
        ["DELETE /api/v1/provisioned-clusters/{id}/node-pools/{pool}"] = Write(query: _ => "reason=matrix"),
        ["POST /api/v1/provisioned-clusters/{id}/delete"] = Write(_ => new { confirm = "intruder", reason = "matrix" }),
        ["GET /api/v1/clusters/{id}/audit"] = Read(Kind.PrivilegedRead),
        // The webhook's secret: platform admins only, auditors included out (they read, they are not handed credentials).
        ["GET /api/v1/clusters/{id}/audit-webhook"] = new(Kind.OwnAccount),
        ["POST /api/v1/clusters/{id}/audit-webhook/rotate"] = new(Kind.OwnAccount),
        ["GET /api/v1/clusters/{id}/audit/export"] = Read(Kind.PrivilegedRead),
        ["GET /api/v1/clusters/{id}/audit-webhook/status"] = Read(Kind.PrivilegedRead),
        // The log collector's set-up carries no token; creating or rotating the token shows it: platform admins only.
        ["GET /api/v1/clusters/{id}/log-collector"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/clusters/{id}/log-collector/rotate"] = new(Kind.OwnAccount),
        ["GET /api/v1/clusters/{id}/audit/{auditId}"] = new(Kind.PrivilegedRead, AuditorMay404: true),
        ["PUT /api/v1/clusters/{id}/credentials"] = Write(_ => new { kubeconfig = "apiVersion: v1\nkind: Config\n" }),
        ["GET /api/v1/clusters/{id}/events"] = Read(Kind.FilteredRead),
        ["GET /api/v1/clusters/{id}/ingresses"] = Read(Kind.FilteredRead),
        ["GET /api/v1/clusters/{id}/namespaces"] = Read(Kind.FilteredRead),
        // Where the cluster's Prometheus is: whoever sees the (shared) cluster reads it (no secret in it); platform admins change and test it.
        // The image gate's webhook URL: whoever sees the (shared) cluster reads it (no secret in it); platform admins set and clear it.
        ["GET /api/v1/clusters/{id}/image-gate"] = Read(Kind.FilteredRead),
        ["PUT /api/v1/clusters/{id}/image-gate"] = Write(_ => new { webhookUrl = "https://intruder.example.com:9443" }),
        ["DELETE /api/v1/clusters/{id}/image-gate"] = Write(),
        ["GET /api/v1/clusters/{id}/monitoring"] = Read(Kind.FilteredRead),
        ["PUT /api/v1/clusters/{id}/monitoring"] = Write(_ => new { source = "DirectUrl", url = "https://intruder.example.com", auth = "None" }),
        ["POST /api/v1/clusters/{id}/monitoring/test"] = Write(),
        ["GET /api/v1/clusters/{id}/nodes"] = Read(Kind.FilteredRead),
        // One of A's objects (A's namespace, A's Deployment): another workspace on the shared cluster gets 404, never 403.
        ["GET /api/v1/clusters/{id}/objects/{kind}/{name}"] = Read(),
        ["GET /api/v1/clusters/{id}/objects/{kind}/{ns}/{name}"] = Read(),
        ["GET /api/v1/clusters/{id}/pods"] = Read(Kind.FilteredRead),
        ["GET /api/v1/clusters/{id}/services"] = Read(Kind.FilteredRead),
        ["GET /api/v1/clusters/{id}/workloads"] = Read(Kind.FilteredRead),
        // Charts of the shared cluster and its nodes: every member is served their own namespaces' series (409 here: no Prometheus).
        ["GET /api/v1/clusters/{id}/metrics/{chart}"] = new(Kind.FilteredRead, May409: true),
        ["GET /api/v1/clusters/{id}/nodes/{node}/metrics/{chart}"] = new(Kind.FilteredRead, May409: true),
        ["GET /api/v1/clusters/{id}/live-usage"] = Read(Kind.FilteredRead),
        ["GET /api/v1/clusters/{id}/nodes/{node}/live-usage"] = Read(Kind.FilteredRead),
        ["GET /api/v1/metrics/charts"] = Read(Kind.FilteredRead),
        ["GET /api/v1/metrics/fleet"] = Read(Kind.FilteredRead),
        ["GET /api/v1/service-maps/{id}/metrics/{chart}"] = Read(),
        ["GET /api/v1/service-maps/{id}/live-usage"] = Read(),
        ["GET /api/v1/workloads/{id}/metrics/{chart}"] = Read(),
        ["GET /api/v1/workloads/{id}/live-usage"] = Read(),
        ["GET /api/v1/workspaces/{id}/metrics/{chart}"] = Read(),
        ["GET /api/v1/workspaces/{id}/live-usage"] = Read(),
        ["GET /api/v1/workspaces/{id}/quota-usage"] = Read(),
        ["GET /api/v1/investigations/access"] = new(Kind.PrivilegedRead, Query: w => $"clusterId={w.A.ClusterId}&serviceMapId={w.AMap}"),
        ["GET /api/v1/investigations/activity"] = Read(Kind.PrivilegedRead),
        ["GET /api/v1/home"] = Read(Kind.FilteredRead),
        // Logs: every caller reads what they may see (members: their service maps' lines), an empty answer otherwise.
        ["GET /api/v1/logs"] = Read(Kind.FilteredRead),
        ["GET /api/v1/logs/export"] = Read(Kind.FilteredRead),
        ["GET /api/v1/logs/histogram"] = Read(Kind.FilteredRead),
        ["GET /api/v1/logs/tail"] = Read(Kind.FilteredRead),
        // A has no log lines in this world: a line nobody may read and one that is not there both answer 404, to everybody.
        ["GET /api/v1/logs/lines/{lineId}/context"] = new(Kind.PrivilegedRead, AuditorMay404: true),
        ["GET /api/v1/workspaces/{id}/log-retention"] = Read(),
        ["PUT /api/v1/workspaces/{id}/log-retention"] = Write(_ => new { days = 14 }),
        ["GET /api/v1/me"] = Read(Kind.FilteredRead),
        ["GET /api/v1/quota-requests"] = Read(Kind.FilteredRead),
        ["POST /api/v1/quota-requests"] = Write(w => new { workspaceId = w.A.WorkspaceId, clusterId = w.A.ClusterId, quota = new { cpu = "16" }, reason = "matrix" }),
        ["POST /api/v1/quota-requests/{id}/approve"] = Write(),
        ["POST /api/v1/quota-requests/{id}/reject"] = Write(_ => new { reason = "matrix" }),
        ["GET /api/v1/search"] = new(Kind.FilteredRead, Query: _ => "search=ws-"),
        ["DELETE /api/v1/service-maps/{id}"] = Write(query: w => $"confirm={w.ANamespace}"),
        ["GET /api/v1/service-maps/{id}"] = Read(),
        ["PATCH /api/v1/service-maps/{id}"] = Write(_ => new { name = "taken-over", podSecurity = "privileged" }),
        ["GET /api/v1/service-maps/{id}/policy"] = Read(),
        ["PUT /api/v1/service-maps/{id}/policy"] = Write(_ => new { podSecurity = "restricted" }),
        ["GET /api/v1/service-maps/{id}/usage"] = Read(),
        ["GET /api/v1/service-maps/{id}/workloads"] = Read(),
        ["POST /api/v1/service-maps/{id}/workloads"] = Write(_ => Workloads.Workloads.Web()),
        ["POST /api/v1/service-maps/{id}/workloads/validate"] = Write(_ => Workloads.Workloads.Web()),
        ["GET /api/v1/users"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/users"] = Write(_ => new { userName = "intruder", displayName = "Intruder", password = "a-long-enough-password", role = "PlatformAdmin" }),
        ["GET /api/v1/users/search"] = Read(Kind.FilteredRead),
        ["GET /api/v1/users/{id}"] = Read(Kind.PrivilegedRead),
        ["PATCH /api/v1/users/{id}"] = Write(_ => new { displayName = "Taken over", role = "PlatformAdmin" }),
        ["POST /api/v1/users/{id}/deactivate"] = Write(),
        ["POST /api/v1/users/{id}/unlock"] = Write(),
        ["POST /api/v1/users/{id}/reactivate"] = Write(),
        ["PUT /api/v1/users/{id}/password"] = new(Kind.OwnAccount, _ => new { newPassword = "another-long-enough-password" }),
        ["DELETE /api/v1/workloads/{id}"] = Write(),
        ["GET /api/v1/workloads/{id}"] = Read(),
        ["PUT /api/v1/workloads/{id}"] = Write(_ => Workloads.Workloads.Web(replicas: 5)),
        ["GET /api/v1/workloads/{id}/events"] = Read(),
        ["GET /api/v1/workloads/{id}/logs"] = Read(),
        ["GET /api/v1/workloads/{id}/pods"] = Read(),
        ["POST /api/v1/workloads/{id}/reapply"] = Write(),
        ["GET /api/v1/workloads/{id}/revisions"] = Read(),
        ["POST /api/v1/workloads/{id}/rollback"] = Write(_ => new { revision = 1 }),
        ["POST /api/v1/workloads/{id}/scale"] = Write(_ => new { replicas = 7 }),
        ["GET /api/v1/workloads/{id}/yaml"] = Read(),
        ["GET /api/v1/workspaces"] = Read(Kind.FilteredRead),
        ["POST /api/v1/workspaces"] = Write(_ => new { name = "intruder" }),
        ["DELETE /api/v1/workspaces/{id}"] = Write(),
        ["GET /api/v1/workspaces/{id}"] = Read(),
        ["PATCH /api/v1/workspaces/{id}"] = Write(_ => new { description = "mine now" }),
        ["DELETE /api/v1/workspaces/{id}/clusters/{clusterId}"] = Write(),
        ["POST /api/v1/workspaces/{id}/clusters/{clusterId}"] = Write(_ => new { mode = "Shared", quota = new { cpu = "1" } }),
        ["PUT /api/v1/workspaces/{id}/clusters/{clusterId}"] = Write(_ => new { mode = "Shared", quota = new { cpu = "64" }, maxPodSecurity = "privileged" }),
        ["DELETE /api/v1/workspaces/{id}/members"] = Write(query: w => $"userId={w.A.Developer.Id}"),
        ["POST /api/v1/workspaces/{id}/members"] = Write(w => new { userId = w.B.WorkspaceAdmin.Id, role = "WorkspaceAdmin" }),
        ["DELETE /api/v1/workspaces/{id}/members/{userId}"] = Write(),
        ["GET /api/v1/workspaces/{id}/policy"] = Read(),
        ["PUT /api/v1/workspaces/{id}/policy"] = Write(_ => new { podSecurity = "privileged" }),
        ["GET /api/v1/workspaces/{id}/policy-report"] = Read(),
        ["GET /api/v1/workspaces/{id}/service-maps"] = Read(),
        ["POST /api/v1/workspaces/{id}/service-maps"] = Write(w => new { name = "intruder", clusterId = w.A.ClusterId, quota = new { cpu = "1" } }),
        ["GET /api/v1/workspaces/{id}/workloads"] = Read(),
        // Terminal sessions: everyone lists (their own, or all for admins and auditors); one session is its owner's
        // or an auditor's to read (A has none recorded here, so the auditor may meet 404 too).
        // Notification channels and routes: A's members read them (no secrets), A's admins change them; the platform's are
        // platform admins' (auditors read).
        ["GET /api/v1/workspaces/{id}/notification-channels"] = Read(),
        ["POST /api/v1/workspaces/{id}/notification-channels"] = Write(_ => new { name = "intruder", type = "Webhook", url = "http://127.0.0.1:9/intruder" }),
        ["GET /api/v1/workspaces/{id}/notification-routes"] = Read(),
        ["POST /api/v1/workspaces/{id}/notification-routes"] = Write(w => new { name = "intruder", channelIds = new[] { w.AChannel } }),
        ["GET /api/v1/platform/notification-channels"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/platform/notification-channels"] = Write(_ => new { name = "intruder", type = "Slack", url = "http://127.0.0.1:9/intruder" }),
        ["GET /api/v1/platform/notification-routes"] = Read(Kind.PrivilegedRead),
        ["POST /api/v1/platform/notification-routes"] = Write(w => new { name = "intruder", channelIds = new[] { w.AChannel } }),
        ["GET /api/v1/notification-channels/{id}"] = Read(),
        // External registries and pull secrets: members read (never a secret), workspace admins change.
        ["GET /api/v1/workspaces/{id}/external-registries"] = Read(),
        ["POST /api/v1/workspaces/{id}/external-registries"] = Write(_ => new { name = "intruder", kind = "Ghcr", userName = "intruder", password = "intruder-token" }),
        ["GET /api/v1/external-registries/{id}"] = Read(),
        ["PUT /api/v1/external-registries/{id}"] = Write(_ => new { userName = "taken-over", password = "taken-over-token" }),
        ["DELETE /api/v1/external-registries/{id}"] = Write(),
        ["GET /api/v1/workspaces/{id}/pull-secrets"] = Read(),
        ["POST /api/v1/workspaces/{id}/pull-secrets/rotate"] = Write(),
        ["PUT /api/v1/notification-channels/{id}"] = Write(_ => new { name = "taken-over", url = "http://127.0.0.1:9/taken" }),
        ["DELETE /api/v1/notification-channels/{id}"] = Write(),
        ["POST /api/v1/notification-channels/{id}/test"] = Write(),
        ["GET /api/v1/notification-channels/{id}/deliveries"] = Read(),
        ["PUT /api/v1/notification-routes/{id}"] = Write(_ => new { name = "taken-over" }),
        ["DELETE /api/v1/notification-routes/{id}"] = Write(),
        // The registry's token realm answers everyone: a caller's Bearer API token is not Basic credentials, so each
        // gets a token without access (what A's repositories need is checked in Registries/RegistryTokenTests).
        ["GET /api/v1/registry/token"] = new(Kind.Public, Query: w => $"service=cocktail-registry&scope=repository:{w.A.WorkspaceName}/web:pull,push"),
        ["POST /api/v1/registry/token"] = new(Kind.RealmForm),
        ["GET /api/v1/registry/certificate"] = new(Kind.Public),
        // Registry images: A's repositories are its members'; deleting tags is for developers, retention rules for workspace admins.
        ["GET /api/v1/workspaces/{id}/image-repositories"] = Read(),
        ["GET /api/v1/image-repositories/{id}"] = Read(),
        ["DELETE /api/v1/image-repositories/{id}/tags/{tag}"] = Write(),
        ["PUT /api/v1/image-repositories/{id}/retention"] = Write(_ => new { keepLast = 1 }),
        // Image scans: A's members read an image's scan (tagged in A's registry, so 200 even before its first scan); A's
        // developers and admins ask for a rescan of an image of A's registry.
        ["GET /api/v1/workspaces/{id}/images/scans/{digest}"] = Read(),
        ["POST /api/v1/workspaces/{id}/images/scans"] = Write(w => new { repository = w.A.WorkspaceName + "/matrix", digest = w.ADigest }),
        ["POST /api/v1/registry/notifications"] = new(Kind.ClusterWebhook, _ => new { events = Array.Empty<object>() }),
        // A git provider's push webhook: anonymous, proven only by the pipeline's webhook secret as the provider signs.
        ["POST /api/v1/hooks/pipelines/{id}/{provider}"] = new(Kind.ClusterWebhook, _ => new { @ref = "refs/heads/main", after = new string('a', 40) }),
        // Pipelines' delivery: what each environment runs and the DORA metrics are A's members' to read.
        ["GET /api/v1/pipelines/{id}/environments"] = Read(),
        ["GET /api/v1/workspaces/{id}/environments"] = Read(),
        ["GET /api/v1/workspaces/{id}/delivery-metrics"] = Read(),
        // Robot accounts: A's members list them (no secrets), A's admins make and revoke them.
        ["GET /api/v1/workspaces/{id}/robot-accounts"] = Read(),
        ["POST /api/v1/workspaces/{id}/robot-accounts"] = Write(_ => new { name = "intruder", permission = "PushPull" }),
        ["POST /api/v1/robot-accounts/{id}/revoke"] = Write(_ => new { reason = "matrix" }),
        // Vulnerabilities: A's images, findings, affected workloads and trend are its members'; exceptions are granted and revoked by A's admins.
        ["GET /api/v1/workspaces/{id}/vulnerabilities/images"] = Read(),
        ["GET /api/v1/workspaces/{id}/vulnerabilities/images/{digest}"] = Read(),
        ["GET /api/v1/workspaces/{id}/vulnerabilities/affected-workloads"] = Read(),
        ["GET /api/v1/workspaces/{id}/vulnerabilities/trend"] = Read(),
        ["GET /api/v1/workspaces/{id}/vulnerability-exceptions"] = Read(),
        ["POST /api/v1/workspaces/{id}/vulnerability-exceptions"] = Write(w => new
        {
            vulnerabilityId = "CVE-2024-0001", imagePattern = $"{w.A.WorkspaceName}/matrix", reason = "matrix", validUntil = DateTimeOffset.UtcNow.AddDays(1),
        }),
        ["POST /api/v1/workspaces/{id}/vulnerability-exceptions/{exceptionId}/revoke"] = Write(_ => new { reason = "matrix" }),
        ["GET /api/v1/terminal-sessions"] = Read(Kind.FilteredRead),
        ["GET /api/v1/terminal-sessions/{id}"] = new(Kind.PrivilegedRead, AuditorMay404: true),
        ["GET /api/v1/terminal-sessions/{id}/recording"] = new(Kind.PrivilegedRead, AuditorMay404: true),
    };

    private enum Caller { Anonymous, Stranger, Viewer, Auditor }

    /// <summary>A cluster to create on A's (shared) cluster, as a management cluster.</summary>
    private static object MatrixCluster(World w) => new
    {
        managementClusterId = w.A.ClusterId, name = "intruder", infrastructure = "OpenStack", kubernetesVersion = "v1.33.2",
        controlPlane = new { replicas = 1, machineType = "m1.large" }, nodePools = new[] { new { name = "workers", machineType = "m1.large", replicas = 1 } },
        settings = new Dictionary<string, string> { ["cloudName"] = "openstack", ["identitySecret"] = "cloud", ["image"] = "ubuntu" },
    };

    /// <summary>A pipeline deploying to A's service map, with a git push trigger (so it has a webhook secret).</summary>
    private static object MatrixPipeline(World w, string name) => new
    {
        name, source = new { kind = "Git", gitUrl = "https://git.example.com/shop/web.git" },
        stages = new object[]
        {
            new { name = "build", kind = "Build", buildDefinition = w.ADefinition },
            new { name = "dev", kind = "Deploy", targets = new[] { new { serviceMap = w.AMap, workload = "web", containers = new[] { "web" } } } },
        },
        triggers = new { gitPush = "GitHub" },
    };

    [Fact]
    public async Task every_operation_refuses_strangers_viewers_auditors_and_anonymous_callers_what_is_not_theirs()
    {
        using var anonymous = app.Anonymous();
        var operations = await TenancyOpenApi.OperationsAsync(anonymous);
        var missing = operations.Where(o => !Expectations.ContainsKey(o.Key)).ToList();
        Assert.True(missing.Count == 0, "Operations without an expectation in the tenancy matrix (add one):\n" + string.Join("\n", missing));
        var stale = Expectations.Keys.Except(operations.Select(o => o.Key)).ToList();
        Assert.True(stale.Count == 0, "Expectations for operations the app no longer has:\n" + string.Join("\n", stale));

        await using var world = await World.CreateAsync(app);
        var callers = new Dictionary<Caller, HttpClient>
        {
            [Caller.Anonymous] = anonymous, [Caller.Stranger] = world.B.WorkspaceAdmin.Client, [Caller.Viewer] = world.A.Viewer.Client,
            [Caller.Auditor] = world.Auditor.Client,
        };

        var failures = new List<string>();
        // Reads first, so that a write that wrongly succeeds cannot hide what a read would have shown.
        foreach (var operation in operations.OrderBy(o => o.Writes))
        {
            var expectation = Expectations[operation.Key];
            foreach (var (caller, client) in callers)
            {
                var url = TenancyOpenApi.Fill(operation.Template, p => world.Id(operation.Template, p));
                if (expectation.Query?.Invoke(world) is { } query) url += "?" + query;
                var request = new HttpRequestMessage(new HttpMethod(operation.Method), url);
                if (expectation.Body?.Invoke(world) is { } body) request.Content = JsonContent.Create(body);
                else if (operation.Writes) request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;

                if (!Expected(expectation, caller, status))
                    failures.Add($"{caller}: {operation.Method} {url} answered {status} {Shorten(text)}");
                var foreign = caller switch
                {
                    Caller.Stranger or Caller.Anonymous => world.ASecrets,
                    Caller.Viewer => world.BSecrets,
                    _ => [],
                };
                foreach (var secret in foreign.Where(text.Contains))
                    failures.Add($"{caller}: {operation.Method} {url} answered {status} with a foreign id or name '{secret}'");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} answers broke tenancy:\n" + string.Join("\n", failures));
    }

    private static bool Expected(Expectation e, Caller caller, int status)
    {
        bool Refused() => status is 403 or 404 || e.StrangerMay400 && caller == Caller.Stranger && status == 400;
        bool Served() => status is >= 200 and < 300 || status is 400 or 409 || e.AuditorMay404 && caller == Caller.Auditor && status == 404;
        if (status >= 500) return false;
        if (e.Kind == Kind.ClusterWebhook) return status is 401 or 403;
        if (e.Kind == Kind.Public) return status == 200;
        if (e.Kind == Kind.RealmForm) return status is 400 or 401;
        if (caller == Caller.Anonymous) return e.Kind == Kind.SignIn ? status is 400 or 401 : status == 401;
        return (e.Kind, caller) switch
        {
            (Kind.SignIn, _) => status == 201,
            (Kind.FilteredRead, _) => status == 200 || e.May409 && status == 409,
            (Kind.MemberRead, Caller.Stranger) => Refused(),
            (Kind.MemberRead, _) => Served(),
            (Kind.PrivilegedRead, Caller.Auditor) => Served(),
            (Kind.PrivilegedRead, _) => Refused(),
            (Kind.MemberRequest, Caller.Viewer) => Served(),
            (Kind.Write or Kind.MemberRequest, Caller.Auditor) => status == 403,
            (Kind.Write or Kind.MemberRequest, _) => Refused(),
            (Kind.OwnAccount, _) => Refused(),
            _ => false,
        };
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>Workspace A with a service map, a workload, a grant and requests; workspace B on the same shared cluster; an auditor.</summary>
    private sealed class World : IAsyncDisposable
    {
        public required Tenancy A { get; init; }
        public required Tenancy B { get; init; }
        public required TestUser Auditor { get; init; }
        public required string AMap { get; init; }
        public required string ANamespace { get; init; }
        public required string AWorkload { get; init; }
        public required string AGrant { get; init; }
        public required string AAccessRequest { get; init; }
        public required string AQuotaRequest { get; init; }
        public required string AToken { get; init; }
        public required string AChannel { get; init; }
        public required string ARoute { get; init; }
        public required string ARepository { get; init; }
        public required string AExternalRegistry { get; init; }
        public required string ADefinition { get; init; }
        public required string ABuild { get; init; }
        public required string APipeline { get; set; }
        public required string ARobot { get; init; }
        public required string ADigest { get; init; }
        public required string AException { get; init; }
        public required string ARun { get; init; }
        public required string ARelease { get; init; }
        public required string[] ASecrets { get; init; }
        public required string[] BSecrets { get; init; }

        public static async Task<World> CreateAsync(CocktailApp app)
        {
            var a = await Tenancy.CreateAsync(app);
            var b = await Tenancy.CreateAsync(app, sim: a.Sim, clusterId: a.ClusterId);
            var aMap = await a.CreateServiceMapAsync(a.WorkspaceAdmin.Client, "matrix-a-" + Guid.NewGuid().ToString("N")[..8]);
            var bMap = await b.CreateServiceMapAsync(b.WorkspaceAdmin.Client, "matrix-b-" + Guid.NewGuid().ToString("N")[..8]);
            var aMapId = (string)aMap["id"]!;
            var workload = await Workloads.Workloads.DeployAsync(a.Developer.Client, aMapId, Workloads.Workloads.Web());
            var grant = await Grants.GrantAsync(a.WorkspaceAdmin.Client, new
            {
                userId = a.Developer.Id, clusterId = a.ClusterId, scope = "ServiceMap", serviceMapId = aMapId, role = "view",
                validUntil = DateTimeOffset.UtcNow.AddHours(4), reason = "matrix",
            });
            var accessRequest = await CreatedAsync(await a.Developer.Client.PostAsJsonAsync("/api/v1/access-requests", new
            {
                clusterId = a.ClusterId, scope = "ServiceMap", serviceMapId = aMapId, role = "edit", durationHours = 2, reason = "matrix",
            }));
            var quotaRequest = await CreatedAsync(await a.Developer.Client.PostAsJsonAsync("/api/v1/quota-requests", new
            {
                workspaceId = a.WorkspaceId, clusterId = a.ClusterId, quota = new { cpu = "8" }, reason = "matrix",
            }));
            var tokens = await (await a.WorkspaceAdmin.Client.GetAsync("/api/v1/auth/tokens")).BodyAsync();
            var ns = (string)aMap["namespace"]!;
            var channel = (string)(await (await a.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/notification-channels",
                new { name = "matrix", type = "Webhook", url = "http://127.0.0.1:9/matrix" })).BodyAsync())["channel"]!["id"]!;
            var route = await CreatedAsync(await a.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/notification-routes",
                new { name = "matrix", channelIds = new[] { channel } }));
            var repository = $"{a.WorkspaceName}/matrix";
            var pushed = await Registries.RegistryNotifications.PostAsync(app, TenancyApp.RegistryNotificationSecret,
                Registries.RegistryNotifications.Event("push", repository, "v1", Registries.RegistryNotifications.Digest(repository)));
            if (!pushed.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)pushed.StatusCode} {await pushed.Content.ReadAsStringAsync()}");
            var externalRegistry = await CreatedAsync(await a.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/external-registries",
                new { name = "matrix", kind = "Harbor", server = "harbor.example.com", userName = "robot$matrix", password = "matrix-harbor-password" }));
            (await a.Admin.PutAsJsonAsync("/api/v1/platform/builds", new { clusterId = a.ClusterId, @namespace = "matrix-builds" })).EnsureSuccessStatusCode();
            var definition = await CreatedAsync(await a.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/build-definitions",
                new { name = "matrix", gitUrl = "https://git.example.com/shop/web.git", repository = "web" }));
            var build = (string)(await (await a.Developer.Client.PostAsJsonAsync($"/api/v1/build-definitions/{definition}/runs", new { })).BodyAsync())["id"]!;
            var robot = await (await a.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/robot-accounts",
                new { name = "matrix", permission = "Pull" })).BodyAsync();
            TestSecrets.Remember((string)robot["password"]!);
            var exception = await CreatedAsync(await a.WorkspaceAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/vulnerability-exceptions",
                new { vulnerabilityId = "CVE-2024-3094", imagePattern = repository, reason = "matrix", validUntil = DateTimeOffset.UtcNow.AddDays(7) }));
            var pipeline = await PipelineAsync(app, a, aMapId);
            var run = (string)(await (await a.Developer.Client.PostAsJsonAsync($"/api/v1/pipelines/{pipeline}/runs", new { @ref = "main" })).BodyAsync())["id"]!;
            // The object reads go to the cluster: A's namespace and Deployment must be there for A's members to read them.
            await Eventually.GetAsync(() => Task.FromResult(a.Sim.Objects.Get("apps/v1", "Deployment", "web", ns)), d => d is not null,
                because: "A's Deployment on the cluster");
            var world = new World
            {
                A = a, B = b, Auditor = await app.CreateUserAsync("Auditor"), AMap = aMapId, ANamespace = ns,
                AWorkload = (string)workload["id"]!, AGrant = (string)grant["grant"]!["id"]!, AAccessRequest = accessRequest, AQuotaRequest = quotaRequest,
                AToken = (string)tokens.AsArray()[0]!["id"]!, AChannel = channel, ARoute = route, AExternalRegistry = externalRegistry,
                ARepository = Domain.Registries.ImageRepository.IdFor(repository).ToString(), ADefinition = definition, ABuild = build,
                ARobot = (string)robot["robotId"]!, ADigest = Registries.RegistryNotifications.Digest(repository), AException = exception,
                ARun = run,
                ARelease = await ReleaseAsync(app, a, aMap),
                ASecrets = [a.WorkspaceId, a.WorkspaceName, aMapId, ns, (string)workload["id"]!, (string)grant["grant"]!["id"]!, accessRequest, quotaRequest,
                    a.WorkspaceAdmin.UserName, a.Developer.UserName, run],
                BSecrets = [b.WorkspaceId, b.WorkspaceName, (string)bMap["id"]!, (string)bMap["namespace"]!, b.WorkspaceAdmin.UserName],
                APipeline = "",
            };
            world.APipeline = await CreatedAsync(await a.Developer.Client.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/pipelines",
                new { definition = MatrixPipeline(world, "matrix-defs") }));
            return world;
        }

        /// <summary>The id of A's object that a path parameter names, by the collection the path is about.</summary>
        public string Id(string template, string parameter) => parameter switch
        {
            "clusterId" => A.ClusterId,
            "userId" => A.Developer.Id.ToString(),
            "streamId" => A.WorkspaceId,
            "auditId" => Guid.NewGuid().ToString(),
            "chart" => "cpu",
            "node" => A.Sim.Name + "-node-0",
            "lineId" => "1_1",
            "tag" => "v1",
            // A's pushed (never scanned) image, and an exception A's admin granted.
            "digest" => ADigest,
            "exceptionId" => AException,
            "provider" => "github",
            "addon" or "key" => "cert-manager",
            "stage" => "build",
            "pool" => "workers",
            "secret" => "cka_not-this-clusters-secret",
            "kind" => template.Contains("{ns}", StringComparison.Ordinal) ? "deployments" : "namespaces",
            "ns" => ANamespace,
            "name" => template.Contains("{ns}", StringComparison.Ordinal) ? "web" : ANamespace,
            _ => template.Split('/', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) switch
            {
                "workspaces" => A.WorkspaceId,
                "service-maps" => AMap,
                "workloads" => AWorkload,
                "access-grants" => AGrant,
                "access-requests" => AAccessRequest,
                "quota-requests" => AQuotaRequest,
                "clusters" => A.ClusterId,
                "users" => A.WorkspaceAdmin.Id.ToString(),
                "auth" => AToken,
                "terminal-sessions" => Guid.NewGuid().ToString(),
                "notification-channels" => AChannel,
                "notification-routes" => ARoute,
                "image-repositories" => ARepository,
                "external-registries" => AExternalRegistry,
                "build-definitions" => ADefinition,
                "builds" => ABuild,
                "pipelines" => APipeline,
                "pipeline-runs" => ARun,
                "robot-accounts" => ARobot,
                "hooks" => APipeline,
                "alert-rules" => Domain.Monitoring.AlertRule.BuiltInId(Domain.Monitoring.BuiltInRule.PodRestarting, Guid.Parse(A.WorkspaceId)).ToString(),
                "alerts" => Guid.NewGuid().ToString(),
                "provisioned-clusters" => Guid.NewGuid().ToString(),
                "releases" => ARelease,
                var other => throw new InvalidOperationException($"The matrix does not know which of A's ids {{{parameter}}} in {template} ({other}) takes."),
            },
        };

        /// <summary>A pipeline of A (appended through Marten) whose first stage waits for a developer's approval: its runs deploy nothing.</summary>
        private static async Task<string> PipelineAsync(CocktailApp app, Tenancy a, string mapId)
        {
            var id = Guid.CreateVersion7();
            var definition = new Domain.Pipelines.PipelineDefinition("matrix",
                new Domain.Pipelines.PipelineSource(Domain.Pipelines.PipelineSourceKind.Git, GitUrl: "https://git.example.com/shop/web.git", Branches: "main"),
                [
                    new Domain.Pipelines.PipelineStage("build", Domain.Pipelines.StageKind.Build, BuildDefinition: Guid.NewGuid(),
                        ApprovalBy: Domain.Tenancy.WorkspaceRole.Developer),
                    new Domain.Pipelines.PipelineStage("dev", Domain.Pipelines.StageKind.Deploy, Targets: [new Domain.Pipelines.DeployTarget(Guid.Parse(mapId), "web", ["web"])]),
                ]);
            var created = Domain.Pipelines.Pipeline.Create(id, Guid.Parse(a.WorkspaceId), a.WorkspaceName, definition,
                new Domain.Common.ActorRef(a.WorkspaceAdmin.Id, a.WorkspaceAdmin.UserName), DateTimeOffset.UtcNow);
            await using var session = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Marten.IDocumentStore>(app.Services).LightweightSession();
            session.Events.StartStream<Domain.Pipelines.Pipeline>(id, created.Events.ToArray());
            await session.SaveChangesAsync();
            return id.ToString();
        }

        /// <summary>A chart release of A in its service map (appended through Marten: the matrix has no chart repository behind it).</summary>
        private static async Task<string> ReleaseAsync(CocktailApp app, Tenancy a, System.Text.Json.Nodes.JsonNode map)
        {
            var target = new Domain.Charts.ChartReleaseTarget(Guid.Parse(a.ClusterId), a.Sim.Name, (string)map["namespace"]!, null,
                Guid.Parse(a.WorkspaceId), Guid.Parse((string)map["id"]!), (string)map["name"]!);
            var decision = Domain.Charts.ChartRelease.Request("matrix", target,
                new Domain.Charts.ChartSource("http://127.0.0.1:9/charts", Domain.Charts.ChartRepositoryKind.Http, "matrix"), "1.0.0",
                new System.Text.Json.Nodes.JsonObject { ["replicaCount"] = 1 }, new Domain.Common.ActorRef(a.Developer.Id, a.Developer.UserName),
                DateTimeOffset.UtcNow, "matrix");
            var started = (Domain.Charts.ChartReleaseInstallRequested)decision.Events[0];
            await using var session = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Marten.IDocumentStore>(app.Services).LightweightSession();
            session.Events.StartStream<Domain.Charts.ChartRelease>(started.ReleaseId, decision.Events.ToArray());
            await session.SaveChangesAsync();
            return started.ReleaseId.ToString();
        }

        private static async Task<string> CreatedAsync(HttpResponseMessage response)
        {
            var body = await response.BodyAsync();
            if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"{(int)response.StatusCode} {body.ToJsonString()}");
            return (string)body["id"]!;
        }

        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }
}
