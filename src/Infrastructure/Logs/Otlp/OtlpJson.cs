using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;

namespace Cocktail.Infrastructure.Logs.Otlp;

/// <summary>
/// OTLP's JSON encoding is protobuf's JSON mapping (lowerCamelCase keys, 64-bit integers as strings or numbers, which
/// Google.Protobuf's JsonParser reads) with two differences: <c>traceId</c> and <c>spanId</c> are hex, not base64, and
/// unknown fields must be ignored. The parser is told to ignore unknown fields; the ids are rewritten from hex to base64
/// in one streaming pass before it reads them. (OTLP also asks senders for integer enums; the parser accepts names too,
/// which costs nothing.) Invalid UTF-8 is replaced by U+FFFD first, as the binary decoding does.
/// </summary>
internal static class OtlpJson
{
    public static ExportLogsServiceRequest Parse(ReadOnlyMemory<byte> body, int maxAttributeDepth)
    {
        // Each attribute level is four JSON levels ({"kvlistValue":{"values":[{"value":...), on top of the envelope's.
        var depth = 4 * maxAttributeDepth + 16;
        var utf8 = System.Text.Unicode.Utf8.IsValid(body.Span) ? body : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body.Span));
        var json = RewriteIds(utf8.Span, depth);
        var parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true).WithRecursionLimit(depth));
        return parser.Parse<ExportLogsServiceRequest>(json);
    }

    private static string RewriteIds(ReadOnlySpan<byte> utf8, int depth)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = depth });
        var output = new ArrayBufferWriter<byte>(utf8.Length + 64);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true, MaxDepth = depth + 1 }))
        {
            var idProperty = false;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject: writer.WriteStartObject(); break;
                    case JsonTokenType.EndObject: writer.WriteEndObject(); break;
                    case JsonTokenType.StartArray: writer.WriteStartArray(); break;
                    case JsonTokenType.EndArray: writer.WriteEndArray(); break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        idProperty = name is "traceId" or "spanId";
                        writer.WritePropertyName(name);
                        continue;
                    case JsonTokenType.String when idProperty:
                        writer.WriteStringValue(HexToBase64(reader.GetString()!));
                        break;
                    case JsonTokenType.String: writer.WriteStringValue(reader.GetString()); break;
                    case JsonTokenType.Number: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
                    case JsonTokenType.True: writer.WriteBooleanValue(true); break;
                    case JsonTokenType.False: writer.WriteBooleanValue(false); break;
                    case JsonTokenType.Null: writer.WriteNullValue(); break;
                }
                idProperty = false;
            }
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string HexToBase64(string hex)
    {
        if (hex.Length == 0) return "";
        try
        {
            return Convert.ToBase64String(Convert.FromHexString(hex));
        }
        catch (FormatException)
        {
            throw new OtlpJsonException("traceId and spanId must be hex strings (OTLP's JSON encoding), such as \"5b8efff798038103d269b633813fc60c\".");
        }
    }
}

public sealed class OtlpJsonException(string message) : Exception(message);
