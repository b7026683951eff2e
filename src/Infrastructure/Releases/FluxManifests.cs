using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.Common;
using Cocktail.Application.Releases.Flux;
using Cocktail.Infrastructure.Charts;
using Cocktail.Infrastructure.Parsing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cocktail.Infrastructure.Releases;

/// <summary>
/// Reads a Flux install manifest (the release's <c>install.yaml</c>, or <c>flux install --export</c>): uploaded, or
/// downloaded through the charts' HTTP client (bounded, link-local and refused ranges blocked). Bounded YAML (8 MiB,
/// depth 64, no anchors or aliases); every document must be a Kubernetes object with apiVersion, kind and name.
/// </summary>
public sealed class FluxManifests(ChartDownloads downloads) : IFluxManifests
{
    private const int MaxDocuments = 500;

    public async Task<Result<IReadOnlyList<JsonObject>>> ReadAsync(string? manifest, string? url, CancellationToken ct)
    {
        var field = manifest is null ? "url" : "manifest";
        string yaml;
        if (manifest is not null) yaml = manifest;
        else
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                return Failure.Invalid("An http(s) URL.", "url");
            var download = await downloads.GetAsync(uri, IFluxManifests.MaxBytes, "the Flux manifest", ct);
            if (download.Failure is { } failure) return new Failure(failure.Kind == FailureKind.Unavailable ? FailureKind.Invalid : failure.Kind,
                failure.Message, new Dictionary<string, string[]> { ["url"] = [failure.Message] });
            yaml = Encoding.UTF8.GetString(download.Value!.Body);
        }
        if (BoundedYaml.Check(yaml, IFluxManifests.MaxBytes, objects: true, aliases: false, maxNodes: 4_000_000) is { } refused)
            return Failure.Invalid(refused, field);
        var objects = new List<JsonObject>();
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            while (parser.TryConsume<DocumentStart>(out _))
            {
                var node = Read(parser);
                parser.Consume<DocumentEnd>();
                if (node is null) continue; // an empty document between two '---'
                if (node is not JsonObject obj) return Failure.Invalid($"Document {objects.Count + 1} is not a Kubernetes object.", field);
                if (obj["apiVersion"] is not JsonValue || obj["kind"] is not JsonValue || obj["metadata"]?["name"] is not JsonValue)
                    return Failure.Invalid($"Document {objects.Count + 1} has no apiVersion, kind or metadata.name.", field);
                if (objects.Count == MaxDocuments) return Failure.Invalid($"The manifest has more than {MaxDocuments} documents.", field);
                objects.Add(obj);
            }
        }
        catch (YamlException e)
        {
            return Failure.Invalid($"The manifest is not valid YAML: {e.Message.Split('\n')[0]}", field);
        }
        catch (InvalidDataException e)
        {
            return Failure.Invalid(e.Message, field);
        }
        if (objects.Count == 0) return Failure.Invalid("The manifest has no objects.", field);
        return objects;
    }

    private static JsonNode? Read(IParser parser)
    {
        if (parser.TryConsume<Scalar>(out var scalar)) return Scalar(scalar);
        if (parser.TryConsume<SequenceStart>(out _))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _)) array.Add(Read(parser));
            return array;
        }
        if (parser.TryConsume<MappingStart>(out _))
        {
            var map = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                if (!parser.TryConsume<Scalar>(out var key)) throw new InvalidDataException($"Line {parser.Current?.Start.Line}: keys must be plain text.");
                if (!map.TryAdd(key.Value, Read(parser))) throw new InvalidDataException($"The key '{key.Value}' is given twice (line {key.Start.Line}).");
            }
            return map;
        }
        throw new InvalidDataException($"Line {parser.Current?.Start.Line}: anchors and aliases are not accepted.");
    }

    /// <summary>YAML 1.2 core schema for plain scalars (what Kubernetes' sigs.k8s.io/yaml reads); quoted ones stay text.</summary>
    private static JsonNode? Scalar(Scalar scalar)
    {
        var value = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain) return JsonValue.Create(value);
        if (value is "" or "~" or "null" or "Null" or "NULL") return null;
        if (value is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (value is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (value.Any(char.IsDigit) && !value.Contains(':', StringComparison.Ordinal) &&
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            return JsonValue.Create(number);
        return JsonValue.Create(value);
    }
}
