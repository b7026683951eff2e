using System.Text.Json.Nodes;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Http;

namespace Cocktail.KubeSim.Audit;

/// <summary>A cluster's audit configuration, switchable at run time; off until <see cref="ConfigureAsync"/> is called.</summary>
public sealed class ClusterAudit(TimeProvider time) : IAsyncDisposable
{
    AuditWebhookBackend? _backend;
    AuditOptions? _options;

    public AuditOptions? Options => _options;
    public long SentEvents => _backend?.SentEvents ?? 0;
    public long DroppedEvents => _backend?.DroppedEvents ?? 0;
    public long SentBatches => _backend?.SentBatches ?? 0;

    /// <summary>Starts sending audit events to the webhook (replacing any previous configuration).</summary>
    public async Task ConfigureAsync(AuditOptions options)
    {
        var previous = _backend;
        _backend = new AuditWebhookBackend(options);
        _options = options;
        if (previous is not null) await previous.DisposeAsync();
    }

    public async Task DisableAsync()
    {
        var previous = _backend;
        _backend = null;
        _options = null;
        if (previous is not null) await previous.DisposeAsync();
    }

    internal bool Wants(string stage) => _options is { Level: > AuditLevel.None } o && o.Stages.Contains(stage);

    internal AuditLevel Level => _options?.Level ?? AuditLevel.None;

    internal void Record(JsonObject auditEvent) => _backend?.Enqueue(auditEvent);

    static readonly string[] SyntheticUsers = ["alice@example.com", "bob@example.com", "system:serviceaccount:ci:deployer", "kubesim-admin"];
    static readonly (string Verb, string Resource, string Group)[] SyntheticRequests =
    [
        ("get", "pods", ""), ("list", "pods", ""), ("create", "deployments", "apps"), ("update", "configmaps", ""),
        ("patch", "deployments", "apps"), ("delete", "pods", ""), ("watch", "events", ""), ("get", "secrets", ""),
    ];

    /// <summary>
    /// Feeds <paramref name="eventsPerSecond"/> plausible audit events through the webhook backend for
    /// <paramref name="duration"/>, for ingest benchmarks. Returns how many were generated.
    /// </summary>
    public async Task<long> GenerateSyntheticLoadAsync(int eventsPerSecond, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        if (_backend is null) throw new InvalidOperationException("Configure the audit webhook first.");
        var level = Level == AuditLevel.None ? AuditLevel.Metadata : Level;
        var started = DateTime.UtcNow;
        long generated = 0;
        var tick = TimeSpan.FromMilliseconds(50);
        while (DateTime.UtcNow - started < duration && !cancellationToken.IsCancellationRequested)
        {
            var due = (long)((DateTime.UtcNow - started).TotalSeconds * eventsPerSecond);
            for (; generated < due; generated++)
            {
                var (verb, resource, group) = SyntheticRequests[generated % SyntheticRequests.Length];
                var user = SyntheticUsers[generated % SyntheticUsers.Length];
                var ns = $"team-{generated % 7}";
                var name = $"{resource[..^1]}-{generated % 50}";
                var info = new RequestInfo(true, "", verb, group, "v1", resource, "", ns, verb is "list" or "watch" or "create" ? "" : name);
                var uri = group.Length == 0 ? $"/api/v1/namespaces/{ns}/{resource}" : $"/apis/{group}/v1/namespaces/{ns}/{resource}";
                var now = time.GetUtcNow();
                var userInfo = UserInfo.Authenticated(user, ["developers"]);
                _backend?.Enqueue(AuditEventBuilder.Build(level, "ResponseComplete", Guid.NewGuid().ToString(), uri, verb,
                    userInfo, null, "10.0.0." + (generated % 200 + 1), "kubectl/v1.32.4 (linux/amd64) kubernetes/synthetic",
                    info, verb == "create" ? 201 : 200, null, null, null, now.AddMilliseconds(-3), now, true));
            }
            try { await Task.Delay(tick, cancellationToken); }
            catch (OperationCanceledException) { break; }
        }
        return generated;
    }

    public async ValueTask DisposeAsync() => await DisableAsync();
}
