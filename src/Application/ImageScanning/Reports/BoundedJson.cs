using System.Buffers;
using System.Text.Json;
using Cocktail.Domain.ImageScanning;

namespace Cocktail.Application.ImageScanning.Reports;

/// <summary>
/// The bounds both report readers share: bytes read from a stream, nesting depth, and complete JSON before any field
/// is looked at. Parsing is System.Text.Json's; this only decides what to refuse and how to say why.
/// </summary>
internal static class BoundedJson
{
    private const int Chunk = 81_920;

    public static ScanReportFailure TooLarge(TrivyReportLimits limits) =>
        new(ScanReportProblem.TooLarge, $"the report is larger than the bound of {limits.MaxBytes} bytes");

    public static ScanReportFailure TooManyFindings(TrivyReportLimits limits) =>
        new(ScanReportProblem.TooManyFindings, $"the report has more findings than the bound of {limits.MaxFindings}");

    public static ScanReportFailure Invalid(string reason) => new(ScanReportProblem.Invalid, reason);

    /// <summary>Reads the stream to its end, or stops one chunk past <see cref="TrivyReportLimits.MaxBytes"/>.</summary>
    public static async Task<(ScanReportFailure? Failure, byte[] Bytes)> ReadAllAsync(Stream stream, TrivyReportLimits limits, CancellationToken ct)
    {
        if (stream.CanSeek && stream.Length - stream.Position > limits.MaxBytes) return (TooLarge(limits), []);
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var read = await stream.ReadAsync(buffer.GetMemory(Chunk), ct);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > limits.MaxBytes) return (TooLarge(limits), []);
        }
        return (null, buffer.WrittenMemory.ToArray());
    }

    /// <summary>
    /// Refuses a report above the byte bound, nested deeper than the depth bound, or not one complete JSON object;
    /// otherwise parses it. One validating pass first, so a truncated report is told apart from a malformed one and
    /// the depth bound has its own reason rather than a parser message.
    /// </summary>
    public static ScanReportFailure? Parse(ReadOnlySpan<byte> json, TrivyReportLimits limits, out JsonDocument? document)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.MaxBytes < 1 || limits.MaxDepth is < 1 or int.MaxValue || limits.MaxFindings < 0)
            throw new ArgumentOutOfRangeException(nameof(limits), limits, "Report limits must be positive.");
        document = null;
        if (json.Length > limits.MaxBytes) return TooLarge(limits);

        var failure = Validate(json, limits);
        if (failure is not null) return failure;

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = limits.MaxDepth });
        try
        {
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            return NotComplete($"malformed at {Where(e)}");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            document = null;
            return new ScanReportFailure(ScanReportProblem.NotThisReport, "the report is not a JSON object");
        }
        return null;
    }

    private static ScanReportFailure? Validate(ReadOnlySpan<byte> json, TrivyReportLimits limits)
    {
        // Not the final block: at the end of the input the reader stops instead of throwing, so a report cut short
        // is found by the depth it stopped at. One more level than the bound lets this loop see the excess itself.
        var reader = new Utf8JsonReader(json, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = limits.MaxDepth + 1 }));
        var sawValue = false;
        try
        {
            while (reader.Read())
            {
                sawValue = true;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth + 1 > limits.MaxDepth)
                    return new ScanReportFailure(ScanReportProblem.TooDeep, $"the report nests JSON deeper than the bound of {limits.MaxDepth} levels");
            }
        }
        catch (JsonException e)
        {
            return NotComplete($"malformed at {Where(e)}");
        }

        var rest = json[(int)reader.BytesConsumed..];
        if (!sawValue && rest.Trim(" \t\r\n"u8).IsEmpty) return NotComplete("it is empty");
        if (!sawValue || reader.CurrentDepth != 0 || !rest.Trim(" \t\r\n"u8).IsEmpty)
            return NotComplete($"it ends after {json.Length} bytes, before its JSON is closed");
        return null;
    }

    private static ScanReportFailure NotComplete(string reason) =>
        new(ScanReportProblem.NotCompleteJson, $"the report is not complete JSON: {reason}");

    private static string Where(JsonException e) => $"line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}";

    /// <summary>A string property, or null when it is missing or JSON null; a failure when it has another type.</summary>
    public static ScanReportFailure? OptionalString(JsonElement obj, string name, string path, out string? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null) return null;
        if (property.ValueKind != JsonValueKind.String) return Invalid($"{path}.{name} is not a string");
        value = property.GetString();
        return null;
    }

    /// <summary>An array property, or null when it is missing or JSON null; a failure when it has another type.</summary>
    public static ScanReportFailure? OptionalArray(JsonElement obj, string name, string path, out JsonElement? value) =>
        Optional(obj, name, path, JsonValueKind.Array, "an array", out value);

    /// <summary>An object property, or null when it is missing or JSON null; a failure when it has another type.</summary>
    public static ScanReportFailure? OptionalObject(JsonElement obj, string name, string path, out JsonElement? value) =>
        Optional(obj, name, path, JsonValueKind.Object, "an object", out value);

    private static ScanReportFailure? Optional(JsonElement obj, string name, string path, JsonValueKind kind, string kindName, out JsonElement? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null) return null;
        if (property.ValueKind != kind) return Invalid($"{path}.{name} is not {kindName}");
        value = property;
        return null;
    }

    /// <summary>
    /// Adds each finding of a JSON array to <paramref name="into"/>, or refuses the whole report: past the findings bound
    /// (counted before any is read), or at the first finding without an id or a package.
    /// </summary>
    public static ScanReportFailure? ReadFindings(JsonElement array, string path, FindingFields names, TrivyReportLimits limits, List<Vulnerability> into)
    {
        if (into.Count + array.GetArrayLength() > limits.MaxFindings) return TooManyFindings(limits);
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var failure = ReadFinding(item, $"{path}[{index++}]", names, out var finding);
            if (failure is not null) return failure;
            into.Add(finding!);
        }
        return null;
    }

    private static ScanReportFailure? ReadFinding(JsonElement item, string path, FindingFields names, out Vulnerability? finding)
    {
        finding = null;
        if (item.ValueKind != JsonValueKind.Object) return Invalid($"{path} is not an object");
        string[] fieldNames = [names.Id, names.Package, names.InstalledVersion, names.FixedVersion, names.Severity, names.Title, names.Url];
        var values = new string?[fieldNames.Length];
        for (var i = 0; i < fieldNames.Length; i++)
        {
            var failure = OptionalString(item, fieldNames[i], path, out values[i]);
            if (failure is not null) return failure;
        }
        var (id, package, installed, fixedVersion, severity, title, url) = (values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
        // Trivy always fills the id and the package; a finding without them cannot be matched against an exception or
        // shown to anyone, so the report is refused rather than read without it.
        if (string.IsNullOrWhiteSpace(id)) return Invalid($"{path} has no {names.Id}");
        if (string.IsNullOrWhiteSpace(package)) return Invalid($"{path} has no {names.Package}");
        finding = new Vulnerability(id, package, installed ?? "", NullIfEmpty(fixedVersion), SeverityOf(severity), NullIfEmpty(title), NullIfEmpty(url));
        return null;
    }

    /// <summary>Trivy's severity names; anything else, or none, is <see cref="Severity.Unknown"/>.</summary>
    public static Severity SeverityOf(string? name) => name?.ToUpperInvariant() switch
    {
        "LOW" => Severity.Low,
        "MEDIUM" => Severity.Medium,
        "HIGH" => Severity.High,
        "CRITICAL" => Severity.Critical,
        _ => Severity.Unknown,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>What a report format calls each part of a finding.</summary>
internal sealed record FindingFields(string Id, string Package, string InstalledVersion, string FixedVersion, string Severity, string Title, string Url);
