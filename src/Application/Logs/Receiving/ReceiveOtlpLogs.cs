using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.Logs.SettingUpCollection;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.Receiving;

/// <summary>
/// An OTLP/HTTP <c>ExportLogsServiceRequest</c> from a cluster's collector (or any OTLP exporter), authenticated by the
/// cluster's log token, which also says which cluster the lines come from. Each line is mapped to the service map and
/// workspace owning its namespace and stored before the request is answered. Observations, not decisions: no aggregate,
/// no event, thousands of lines a second.
/// </summary>
/// <param name="Token">The bearer token as presented; null when none came.</param>
/// <param name="Body">The payload, already decompressed and within the size limits.</param>
[Anonymous]
[Writes]
public sealed record ReceiveOtlpLogs([property: Secret] string? Token, ReadOnlyMemory<byte> Body, OtlpEncoding Encoding) : IRequest<OtlpReceipt>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public enum OtlpOutcome
{
    /// <summary>Stored (all but <see cref="OtlpReceipt.Rejected"/>): 200.</summary>
    Stored,
    /// <summary>The queue is full: 429 with Retry-After, nothing stored.</summary>
    Throttled,
    /// <summary>The store failed or did not take the lines in time: 503 with Retry-After, nothing stored.</summary>
    StoreUnavailable,
}

/// <param name="Rejected">Records refused for partial_success (their reason in <see cref="Message"/>).</param>
public sealed record OtlpReceipt(OtlpOutcome Outcome, int Received, int Stored, int Rejected, int Truncated, string? Message, TimeSpan? RetryAfter = null);

public static class ReceiveOtlpLogsHandler
{
    public const string Unauthorized = "Send the cluster's log token as Authorization: Bearer <token> (the cluster's Logs tab creates it).";

    public static async Task<Result<OtlpReceipt>> Handle(ReceiveOtlpLogs command, IQuerySession session, IOtlpCodec codec, NamespaceOwners owners,
        LogIngestQueue queue, IOptions<OtlpOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (command.Token is not { Length: > 0 } presented || !presented.StartsWith(LogIngestTokens.Scheme, StringComparison.Ordinal))
            return Failure.Unauthorized(Unauthorized);
        var hash = LogIngestTokens.Hash(presented);
        var token = await session.Query<ClusterLogToken>().FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (token is null || !LogIngestTokens.Matches(token, presented)) return Failure.Unauthorized(Unauthorized);

        var limits = options.Value;
        var now = clock.GetUtcNow();
        var (decoded, error) = codec.Decode(command.Body, command.Encoding, limits, now);
        if (decoded is null) return Failure.Invalid(error ?? "The payload is not an ExportLogsServiceRequest.", "body");

        var lines = Map(token.Id, decoded, await owners.ForClusterAsync(token.Id, ct));
        var truncated = lines.Count(l => l.Truncated);
        if (lines.Count == 0) return new OtlpReceipt(OtlpOutcome.Stored, decoded.Rejected, 0, decoded.Rejected, 0, decoded.RejectedReason);

        var pending = queue.TryEnqueue(lines);
        if (pending is null)
            return new OtlpReceipt(OtlpOutcome.Throttled, lines.Count, 0, 0, 0,
                "Cocktail's log receiver is busy: the lines waiting to be stored fill its queue. Retry after the interval given.", limits.RetryAfter);
        return await AwaitStoredAsync(pending, queue, decoded, truncated, limits, limits.AckTimeout, ct);
    }

    private static async Task<OtlpReceipt> AwaitStoredAsync(PendingLines pending, LogIngestQueue queue, DecodedLogs decoded, int truncated,
        OtlpOptions limits, TimeSpan wait, CancellationToken ct)
    {
        var count = pending.Lines.Count;
        try
        {
            var stored = await pending.Stored.WaitAsync(wait, ct);
            var rejected = decoded.Rejected + (count - stored);
            var message = rejected == 0 ? null
                : decoded.RejectedReason ?? "The log store did not keep every line.";
            return new OtlpReceipt(OtlpOutcome.Stored, count + decoded.Rejected, stored, rejected, truncated, message);
        }
        catch (TimeoutException) when (queue.TryWithdraw(pending))
        {
            return Unavailable(count, "Cocktail's log store is behind: these lines were not stored. Retry after the interval given.", limits);
        }
        catch (TimeoutException)
        {
            // The store is writing these lines now: its answer is the request's.
            return await AwaitStoredAsync(pending, queue, decoded, truncated, limits, Timeout.InfiniteTimeSpan, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Unavailable(count, "Cocktail's log store did not store these lines. Retry after the interval given.", limits);
        }
    }

    private static OtlpReceipt Unavailable(int count, string message, OtlpOptions limits) =>
        new(OtlpOutcome.StoreUnavailable, count, 0, 0, 0, message, limits.RetryAfter);

    private static List<IncomingLogLine> Map(Guid clusterId, DecodedLogs decoded, IReadOnlyDictionary<string, NamespaceOwner> owners)
    {
        var lines = new List<IncomingLogLine>(decoded.Records);
        foreach (var resource in decoded.Resources)
        {
            NamespaceOwner? owner = resource.Namespace is { } ns && owners.TryGetValue(ns, out var o) ? o : null;
            foreach (var r in resource.Records)
                lines.Add(new IncomingLogLine(r.Time, r.ObservedAt, r.SeverityNumber, r.SeverityText, r.Body, r.Truncated, clusterId,
                    owner?.WorkspaceId, owner?.ServiceMapId, resource.Namespace, resource.Pod, resource.Container, resource.Node,
                    resource.WorkloadKind, resource.WorkloadName));
        }
        return lines;
    }
}
