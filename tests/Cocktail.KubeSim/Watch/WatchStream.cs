using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;
using Microsoft.AspNetCore.Http;

namespace Cocktail.KubeSim.Watch;

/// <summary>
/// Serves one watch: newline-delimited <c>{"type":...,"object":...}</c> frames, starting from the requested
/// resourceVersion (or with synthetic ADDED events for the current state), filtered by namespace and selectors
/// the way the watch cache filters (an object leaving the selection is a DELETED), with periodic BOOKMARKs and a
/// server-side timeout. A resourceVersion that has been compacted away gets an ERROR event carrying a 410.
/// </summary>
public sealed class WatchStream(ObjectRegistry registry, TimeSpan bookmarkInterval)
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _open = new();

    /// <summary>
    /// Watches being served right now, by resource (<c>pods</c>, <c>apps/deployments</c>): what the apiserver's
    /// <c>apiserver_longrunning_requests{verb="WATCH"}</c> gauge shows.
    /// </summary>
    public IReadOnlyDictionary<string, int> Open => _open.Where(w => w.Value > 0).ToDictionary(w => w.Key, w => w.Value);

    public async Task Serve(HttpContext context, WatchRequest request, CancellationToken stopping)
    {
        var store = registry.Store;
        Channel<StoreEvent> live;
        var initial = new List<(string Type, StoredObject Object, StoredObject? Previous)>();
        ApiException? tooOld = null;
        long lastRv;
        lock (store.Gate)
        {
            lastRv = store.CurrentResourceVersion;
            var rv = request.ResourceVersion;
            if (request.ForceExpired)
            {
                tooOld = ApiException.Expired($"too old resource version: {rv} ({lastRv})");
            }
            else if (string.IsNullOrEmpty(rv) || rv == "0" || request.SendInitialEvents)
            {
                var (items, _) = store.List(request.Type.StorageKey, Scope(request));
                initial.AddRange(items.Select(i => ("ADDED", i, (StoredObject?)null)));
            }
            else if (!long.TryParse(rv, out var from))
            {
                throw ApiException.BadRequest($"invalid resource version: {rv}");
            }
            else if (store.History.Since(from) is { } history)
            {
                initial.AddRange(history.Where(e => e.Object.StorageKey == request.Type.StorageKey).Select(e => (e.Type, e.Object, e.Previous)));
            }
            else
            {
                tooOld = ApiException.Expired($"too old resource version: {from} ({store.History.CompactedThrough + 1})");
            }
            live = store.History.Subscribe();
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = Responses.Json;
        context.Response.Headers.CacheControl = "no-cache, private";
        var output = context.Response.Body;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        timeout.CancelAfter(request.Timeout);
        var resource = string.IsNullOrEmpty(request.Type.Group) ? request.Type.Resource : $"{request.Type.Group}/{request.Type.Resource}";
        _open.AddOrUpdate(resource, 1, (_, n) => n + 1);
        try
        {
            await context.Response.StartAsync(timeout.Token);
            if (tooOld is not null)
            {
                await WriteFrame(output, "ERROR", tooOld.ToStatus().ToUtf8(), timeout.Token);
                return;
            }
            foreach (var (type, obj, previous) in initial)
                if (Frame(request, type, obj, previous) is { } frame) await WriteFrame(output, frame.Type, frame.Body, timeout.Token);
            if (request.SendInitialEvents && request.AllowBookmarks)
                await WriteFrame(output, "BOOKMARK", Bookmark(request, lastRv, initialEventsEnd: true), timeout.Token);
            await Follow(output, request, live, lastRv, timeout.Token);
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        finally
        {
            _open.AddOrUpdate(resource, 0, (_, n) => n - 1);
            lock (store.Gate) store.History.Unsubscribe(live);
        }
    }

    async Task Follow(Stream output, WatchRequest request, Channel<StoreEvent> live, long lastRv, CancellationToken cancel)
    {
        var reader = live.Reader;
        var nextBookmark = DateTime.UtcNow + bookmarkInterval;
        while (!cancel.IsCancellationRequested)
        {
            var wait = nextBookmark - DateTime.UtcNow;
            if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
            using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            waitCancel.CancelAfter(wait);
            bool available;
            try { available = await reader.WaitToReadAsync(waitCancel.Token); }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { available = true; }
            if (!available) return; // the store ended every watch (fault injection or shutdown)
            while (reader.TryRead(out var change))
            {
                if (change.Object.StorageKey != request.Type.StorageKey) continue;
                lastRv = change.ResourceVersion;
                if (Frame(request, change.Type, change.Object, change.Previous) is { } frame)
                    await WriteFrame(output, frame.Type, frame.Body, cancel);
            }
            if (DateTime.UtcNow >= nextBookmark)
            {
                if (request.AllowBookmarks) await WriteFrame(output, "BOOKMARK", Bookmark(request, lastRv, false), cancel);
                nextBookmark = DateTime.UtcNow + bookmarkInterval;
            }
        }
    }

    static string? Scope(WatchRequest request) => request.Type.Namespaced && !string.IsNullOrEmpty(request.Namespace) ? request.Namespace : null;

    (string Type, byte[] Body)? Frame(WatchRequest request, string type, StoredObject obj, StoredObject? previous)
    {
        if (Scope(request) is { } ns && obj.Namespace != ns) return null;
        var now = Selected(request, obj);
        var before = previous is not null && type == "MODIFIED" && Selected(request, previous);
        var effective = (type, before, now) switch
        {
            ("MODIFIED", true, false) => "DELETED",
            ("MODIFIED", false, true) => "ADDED",
            ("MODIFIED", false, false) => null,
            (_, _, false) when type != "DELETED" => null,
            ("DELETED", _, _) when !Selected(request, previous ?? obj) => null,
            _ => type,
        };
        if (effective is null) return null;
        return (effective, Serialize(request, obj));
    }

    static bool Selected(WatchRequest request, StoredObject obj)
    {
        if (request.Filter.Labels.IsEmpty && request.Filter.Fields is null or { IsEmpty: true }) return true;
        var parsed = obj.Parse();
        return request.Filter.Labels.Matches(parsed) && (request.Filter.Fields?.Matches(parsed) ?? true);
    }

    byte[] Serialize(WatchRequest request, StoredObject obj) =>
        Registry.VersionConversion.Converts(request.Type)
            ? registry.ToApi(request.Type, obj.Parse()).ToUtf8()
            : ObjectMetadata.WithTypeMeta(obj.Json, request.Type.Kind, request.Type.GroupVersion);

    static byte[] Bookmark(WatchRequest request, long rv, bool initialEventsEnd)
    {
        var meta = new JsonObject { ["resourceVersion"] = rv.ToString() };
        if (initialEventsEnd) meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        return new JsonObject { ["kind"] = request.Type.Kind, ["apiVersion"] = request.Type.GroupVersion, ["metadata"] = meta }.ToUtf8();
    }

    static readonly byte[] FrameEnd = "}\n"u8.ToArray();

    static async Task WriteFrame(Stream output, string type, byte[] body, CancellationToken cancel)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        await output.WriteAsync(head, cancel);
        await output.WriteAsync(body, cancel);
        await output.WriteAsync(FrameEnd, cancel);
        await output.FlushAsync(cancel);
    }
}
