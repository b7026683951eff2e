using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Cocktail.Application.Charts;
using Cocktail.Application.Common;
using Cocktail.Infrastructure.Parsing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Cocktail.Infrastructure.Charts;

/// <summary>
/// Reads a chart package (<c>.tgz</c>) the way Helm's <c>loader.LoadArchiveFiles</c> does, bounded: at most 8 MiB
/// compressed (checked by the download), 32 MiB expanded and 2,000 entries; every entry lies in the chart's folder
/// (Helm refuses "chart illegally references parent directory" and absolute paths); links are refused (Helm only
/// reads regular files); <c>Chart.yaml</c> must be there ("Chart.yaml file is missing") with an apiVersion, a name and
/// a version. Only the top chart's metadata, values, schema and README are kept; templates and subcharts are Flux's.
/// </summary>
internal static class ChartArchive
{
    public const int MaxCompressedBytes = 8 * 1024 * 1024;
    public const long MaxExpandedBytes = 32 * 1024 * 1024;
    public const int MaxEntries = 2000;
    private const int MaxChartYamlBytes = 1024 * 1024;

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    public static Result<ChartPackage> Read(byte[] tgz, string digest, string where)
    {
        string Bad(string reason) => $"{where} is not a Helm chart package: {reason}";
        if (tgz.Length > MaxCompressedBytes) return Failure.Invalid(Bad($"it is larger than {ChartDownloads.Size(MaxCompressedBytes)} compressed."));
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        string? top = null;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(tgz, writable: false), CompressionMode.Decompress);
            using var bounded = new BoundedReadStream(gzip, MaxExpandedBytes);
            using var tar = new TarReader(bounded);
            var entries = 0;
            while (tar.GetNextEntry() is { } entry)
            {
                if (++entries > MaxEntries) return Failure.Invalid(Bad($"it has more than {MaxEntries} files."));
                if (entry.EntryType is TarEntryType.Directory or TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes) continue;
                var name = entry.Name.Replace('\\', '/');
                if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':'))
                    return Failure.Invalid(Bad($"it contains an absolute path ({Shown(name)})."));
                var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
                if (segments.Any(s => s == ".."))
                    return Failure.Invalid(Bad($"it references a parent directory ({Shown(name)})."));
                if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                    return Failure.Invalid(Bad($"it contains a link ({Shown(name)}); a chart holds regular files only."));
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)) continue;
                if (segments.Length < 2) return Failure.Invalid(Bad($"the file {Shown(name)} is not in the chart's folder."));
                top ??= segments[0];
                if (segments[0] != top) return Failure.Invalid(Bad($"it has more than one top folder ({Shown(top)}, {Shown(segments[0])})."));
                var path = string.Join('/', segments[1..]);
                var kept = path is "Chart.yaml" or "values.yaml" or "values.schema.json"
                           || (segments.Length == 2 && path.StartsWith("README", StringComparison.OrdinalIgnoreCase));
                if (!kept || entry.DataStream is null) continue; // read past by the next GetNextEntry, still bounded
                using var reader = new StreamReader(entry.DataStream, new UTF8Encoding(false, true));
                var text = reader.ReadToEnd();
                if (path.StartsWith("README", StringComparison.OrdinalIgnoreCase))
                {
                    // README.md wins over README.txt or README when a chart has several.
                    if (!files.ContainsKey("README") || path.Equals("README.md", StringComparison.OrdinalIgnoreCase)) files["README"] = text;
                }
                else files[path] = text;
            }
        }
        catch (ExpandedTooLargeException)
        {
            return Failure.Invalid(Bad($"it expands to more than {ChartDownloads.Size(MaxExpandedBytes)}."));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or DecoderFallbackException or IOException)
        {
            return Failure.Invalid(Bad($"it is not a gzip-compressed tar archive ({e.Message.Split('\n')[0]})."));
        }

        if (!files.TryGetValue("Chart.yaml", out var chartYaml)) return Failure.Invalid(Bad("Chart.yaml file is missing."));
        if (BoundedYaml.Check(chartYaml, MaxChartYamlBytes, maxDepth: 32, aliases: false) is { } refused)
            return Failure.Invalid(Bad($"Chart.yaml: {refused}"));
        ChartYaml? metadata;
        try
        {
            metadata = Deserializer.Deserialize<ChartYaml?>(chartYaml);
        }
        catch (YamlException e)
        {
            return Failure.Invalid(Bad($"Chart.yaml: line {e.Start.Line}: {(e.InnerException ?? e).Message.Split('\n')[0]}"));
        }
        if (metadata is null || string.IsNullOrWhiteSpace(metadata.ApiVersion)) return Failure.Invalid(Bad("Chart.yaml has no apiVersion."));
        if (string.IsNullOrWhiteSpace(metadata.Name)) return Failure.Invalid(Bad("Chart.yaml has no name."));
        if (string.IsNullOrWhiteSpace(metadata.Version)) return Failure.Invalid(Bad("Chart.yaml has no version."));

        var schema = files.GetValueOrDefault("values.schema.json");
        if (schema is not null)
        {
            try
            {
                using var _ = JsonDocument.Parse(schema, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException e)
            {
                return Failure.Invalid(Bad($"values.schema.json is not JSON ({e.Message.Split('\n')[0]})."));
            }
        }

        return new ChartPackage(metadata.Name, metadata.Version, Blank(metadata.AppVersion), Blank(metadata.Description),
            Blank(metadata.KubeVersion), Blank(metadata.Icon),
            [.. (metadata.Keywords ?? []).Where(k => !string.IsNullOrWhiteSpace(k))],
            files.GetValueOrDefault("values.yaml") ?? "", schema, files.GetValueOrDefault("README"), digest);
    }

    private static string Shown(string name) => name.Length > 120 ? name[..120] + "…" : name;

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private sealed class ChartYaml
    {
        public string? ApiVersion { get; set; }
        public string? Name { get; set; }
        public string? Version { get; set; }
        public string? AppVersion { get; set; }
        public string? Description { get; set; }
        public string? KubeVersion { get; set; }
        public string? Icon { get; set; }
        public List<string>? Keywords { get; set; }
    }

    private sealed class ExpandedTooLargeException : Exception;

    /// <summary>Counts what the decompressor hands out and stops at the bound: a small .tgz may expand enormously.</summary>
    private sealed class BoundedReadStream(Stream inner, long max) : Stream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            _read += n;
            if (_read > max) throw new ExpandedTooLargeException();
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            _read += n;
            if (_read > max) throw new ExpandedTooLargeException();
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
