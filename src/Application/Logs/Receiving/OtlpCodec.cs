namespace Cocktail.Application.Logs.Receiving;

/// <summary>The two encodings OTLP/HTTP carries; the answer is always in the request's.</summary>
public enum OtlpEncoding { Protobuf, Json }

/// <summary>One log record, decoded and bounded: its body is text of at most <see cref="OtlpOptions.MaxLineBytes"/> bytes.</summary>
public readonly record struct DecodedLogRecord(
    DateTimeOffset Time, DateTimeOffset ObservedAt, int SeverityNumber, string? SeverityText, string Body, bool Truncated);

/// <summary>
/// The Kubernetes attributes of one resource (as the collector's k8sattributes processor sets them) and its records.
/// Workload: the first of deployment, statefulset, daemonset, cronjob, job, replicaset names present.
/// </summary>
public sealed record DecodedResourceLogs(
    string? Namespace, string? Pod, string? Container, string? Node, string? WorkloadKind, string? WorkloadName,
    IReadOnlyList<DecodedLogRecord> Records);

/// <param name="Rejected">Records refused (too many or too deeply nested attributes), for partial_success.</param>
/// <param name="RejectedReason">Why, in words a collector's operator can act on.</param>
public sealed record DecodedLogs(IReadOnlyList<DecodedResourceLogs> Resources, int Rejected, string? RejectedReason)
{
    public int Records => Resources.Sum(r => r.Records.Count);
}

/// <summary>
/// OTLP's messages from and to bytes, with Google.Protobuf and the classes generated from the protocol's own .proto
/// files (Infrastructure). A payload that does not decode is an error message, never an exception.
/// </summary>
public interface IOtlpCodec
{
    (DecodedLogs? Logs, string? Error) Decode(ReadOnlyMemory<byte> body, OtlpEncoding encoding, OtlpOptions limits, DateTimeOffset now);

    /// <summary>An ExportLogsServiceResponse; partial_success set only when something was rejected.</summary>
    byte[] Response(OtlpEncoding encoding, long rejected, string? message);

    /// <summary>A google.rpc.Status, the body of every 4xx and 5xx.</summary>
    byte[] Status(OtlpEncoding encoding, int code, string message);
}
