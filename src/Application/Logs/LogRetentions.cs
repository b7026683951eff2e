using Cocktail.Domain.Logs;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs;

/// <summary>
/// Each workspace's retention for the store, which must pick a line's retention class on every batch: read whole
/// (one small document per workspace that changed it) and kept for a short while. A change made on this replica is
/// seen at once; one made on another replica within <see cref="MaxAge"/>.
/// </summary>
public sealed class LogRetentions(IDocumentStore store, IOptions<LogsOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(IReadOnlyDictionary<Guid, int> Days, DateTimeOffset ReadAt);

    public int PlatformDays => LogRetention.IsClass(options.Value.PlatformRetentionDays) ? options.Value.PlatformRetentionDays : LogRetention.DefaultDays;

    public async ValueTask<Func<Guid?, int>> CurrentAsync(CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (snapshot is null || clock.GetUtcNow() - snapshot.ReadAt > MaxAge)
        {
            await using var session = store.QuerySession();
            var views = await session.Query<LogRetentionView>().ToListAsync(ct);
            snapshot = new Snapshot(views.ToDictionary(v => v.Id, v => v.Days), clock.GetUtcNow());
            _snapshot = snapshot;
        }
        var platform = PlatformDays;
        return workspaceId => workspaceId is { } id ? snapshot.Days.GetValueOrDefault(id, LogRetention.DefaultDays) : platform;
    }

    public void Forget() => _snapshot = null;

    /// <summary>The workspaces that set a retention, as last read by <see cref="CurrentAsync"/>.</summary>
    public IReadOnlyCollection<Guid> Workspaces => _snapshot is { } s ? [.. s.Days.Keys] : [];
}
