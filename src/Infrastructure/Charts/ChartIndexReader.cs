using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cocktail.Application.Charts;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using Cocktail.Infrastructure.Parsing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Cocktail.Infrastructure.Charts;

/// <summary>One version as an index lists it, with where its package is (relative to the repository or absolute).</summary>
internal sealed record IndexedVersion(ChartIndexEntry Entry, IReadOnlyList<string> Urls);

/// <summary>
/// Reads a repository's <c>index.yaml</c> as Helm's <c>repo.loadIndex</c> does: an index without <c>apiVersion</c> is
/// refused ("no API version specified"), versions without a name or version are skipped, and every document passes
/// <see cref="BoundedYaml"/> (16 MiB, 32 levels, no anchors or aliases: <c>helm repo index</c> writes none) before
/// YamlDotNet builds it.
/// </summary>
internal static class ChartIndexReader
{
    public const int MaxBytes = 16 * 1024 * 1024;
    public const int MaxDepth = 32;

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    public static Result<IReadOnlyList<IndexedVersion>> Read(byte[] body, string where)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return Failure.Invalid($"{where} is not a chart repository index: it is not UTF-8 text.");
        }
        if (BoundedYaml.Check(text, MaxBytes, maxDepth: MaxDepth, aliases: false, maxNodes: MaxBytes) is { } refused)
            return Failure.Invalid($"{where} is not a chart repository index: {refused}");
        IndexFile? file;
        try
        {
            file = Deserializer.Deserialize<IndexFile?>(text);
        }
        catch (YamlException e)
        {
            return Failure.Invalid($"{where} is not a chart repository index: {Message(e)}");
        }
        if (file is null || string.IsNullOrEmpty(file.ApiVersion))
            return Failure.Invalid($"{where} is not a chart repository index: no API version specified (apiVersion: v1).");

        var versions = new List<IndexedVersion>();
        foreach (var (chart, list) in file.Entries ?? [])
        {
            foreach (var v in list ?? [])
            {
                if (v is null || string.IsNullOrWhiteSpace(v.Version)) continue; // Helm: "skipping loading invalid entry"
                var name = string.IsNullOrWhiteSpace(v.Name) ? chart : v.Name;
                if (name != chart) continue;
                versions.Add(new IndexedVersion(
                    new ChartIndexEntry(chart, v.Version, Blank(v.AppVersion), Blank(v.Description), Blank(v.KubeVersion), Blank(v.Icon),
                        [.. (v.Keywords ?? []).Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim())], Blank(v.Digest),
                        Created(v.Created), IsTrue(v.Deprecated)),
                    [.. (v.Urls ?? []).Where(u => !string.IsNullOrWhiteSpace(u))]));
            }
        }
        return versions;
    }

    public static string Digest(byte[] body) => $"sha256:{Convert.ToHexStringLower(SHA256.HashData(body))}";

    private static string Message(YamlException e) =>
        $"line {e.Start.Line}: {(e.InnerException ?? e).Message.Split('\n')[0]}";

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static bool IsTrue(string? s) => s is "true" or "True" or "TRUE" or "yes";

    /// <summary>Helm writes RFC 3339 with nanoseconds; .NET reads up to 7 fraction digits.</summary>
    internal static DateTimeOffset? Created(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
            if (end - dot - 1 > 7) s = s[..(dot + 8)] + s[end..];
        }
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    private sealed class IndexFile
    {
        public string? ApiVersion { get; set; }
        public Dictionary<string, List<IndexVersionYaml?>?>? Entries { get; set; }
    }

    private sealed class IndexVersionYaml
    {
        public string? Name { get; set; }
        public string? Version { get; set; }
        public string? AppVersion { get; set; }
        public string? Description { get; set; }
        public string? KubeVersion { get; set; }
        public string? Icon { get; set; }
        public List<string>? Keywords { get; set; }
        public List<string>? Urls { get; set; }
        public string? Digest { get; set; }
        public string? Created { get; set; }
        public string? Deprecated { get; set; }
    }
}
