using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Serialization;

namespace Cocktail.Testing.Charts;

/// <summary>
/// A real Helm chart package (<c>.tgz</c>) built in memory, laid out as <c>helm package</c> writes it:
/// <c>&lt;name&gt;/Chart.yaml</c> (apiVersion v2), <c>&lt;name&gt;/values.yaml</c>, optional
/// <c>&lt;name&gt;/values.schema.json</c> and <c>&lt;name&gt;/README.md</c>, and <c>&lt;name&gt;/templates/*.yaml</c>.
/// The archive is deterministic (ustar entries with a fixed time and mode, gzip without a timestamp), so the same
/// chart always has the same <see cref="Digest"/>.
/// <code>
/// var chart = new TestChart("podinfo", "6.5.0") { Values = "replicaCount: 1\n", Schema = """{"type":"object"}""" }
///     .WithTemplate("configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo\n");
/// </code>
/// </summary>
public sealed record TestChart(string Name, string Version)
{
    public string? AppVersion { get; init; } = "1.0.0";
    public string? Description { get; init; } = "A Helm chart for Kubernetes";
    /// <summary>Chart.yaml <c>kubeVersion</c> constraint, e.g. <c>&gt;=1.28.0-0</c>; null leaves it out.</summary>
    public string? KubeVersion { get; init; }
    public string? Icon { get; init; }
    public IReadOnlyList<string> Keywords { get; init; } = [];
    /// <summary>Chart.yaml <c>type</c>: application or library.</summary>
    public string Type { get; init; } = "application";
    public bool Deprecated { get; init; }

    /// <summary>The default <c>values.yaml</c>, written as is.</summary>
    public string Values { get; init; } = "{}\n";

    /// <summary><c>values.schema.json</c> (JSON Schema, draft 7 as Helm reads it); null: the chart has none.</summary>
    public string? Schema { get; init; }

    /// <summary><c>README.md</c>; null: the chart has none.</summary>
    public string? Readme { get; init; }

    /// <summary>Files under <c>templates/</c> by file name (e.g. <c>configmap.yaml</c>), written as is.</summary>
    public IReadOnlyDictionary<string, string> Templates { get; init; } = new Dictionary<string, string>();

    /// <summary>When the chart was packaged: the index's <c>created</c> and the OCI manifest's created annotation.</summary>
    public DateTimeOffset Created { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The same chart with one more template file.</summary>
    public TestChart WithTemplate(string fileName, string content) =>
        this with { Templates = new Dictionary<string, string>(Templates) { [fileName] = content } };

    /// <summary>A chart with one ConfigMap template named <c>&lt;name&gt;-config</c> (no <c>{{</c>: rendered as is).</summary>
    public static TestChart WithConfigMap(string name, string version, string? configMapName = null) =>
        new TestChart(name, version).WithTemplate("configmap.yaml",
            $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {configMapName ?? name + "-config"}\ndata:\n  version: \"{version}\"\n");

    /// <summary><c>&lt;name&gt;-&lt;version&gt;.tgz</c>, as <c>helm package</c> names it.</summary>
    public string FileName => $"{Name}-{Version}.tgz";

    /// <summary>The <c>Chart.yaml</c> text.</summary>
    public string ChartYaml()
    {
        var chart = new Dictionary<string, object> { ["apiVersion"] = "v2", ["name"] = Name, ["version"] = Version };
        if (Description is not null) chart["description"] = Description;
        if (AppVersion is not null) chart["appVersion"] = AppVersion;
        if (KubeVersion is not null) chart["kubeVersion"] = KubeVersion;
        if (Icon is not null) chart["icon"] = Icon;
        if (Keywords.Count > 0) chart["keywords"] = Keywords.ToList();
        if (Deprecated) chart["deprecated"] = true;
        chart["type"] = Type;
        return new SerializerBuilder().Build().Serialize(chart);
    }

    /// <summary>The packaged chart (gzip of a ustar archive); built on each call (no cache a <c>with</c> copy could keep stale).</summary>
    public byte[] Package() => Build();

    /// <summary>Lowercase hex SHA-256 of <see cref="Package"/>, as <c>index.yaml</c>'s <c>digest</c> writes it (no prefix).</summary>
    public string Digest => Convert.ToHexStringLower(SHA256.HashData(Package()));

    byte[] Build()
    {
        var files = new List<(string Path, string Text)> { ("Chart.yaml", ChartYaml()), ("values.yaml", Values) };
        if (Schema is not null) files.Add(("values.schema.json", Schema));
        if (Readme is not null) files.Add(("README.md", Readme));
        foreach (var (file, text) in Templates.OrderBy(t => t.Key, StringComparer.Ordinal)) files.Add(("templates/" + file, text));

        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (path, text) in files)
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{Name}/{path}")
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)),
                    ModificationTime = Created,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                });
            }
        }
        var gzip = new MemoryStream();
        // .NET writes the gzip header with MTIME 0, so equal input gives equal bytes.
        using (var compress = new GZipStream(gzip, CompressionLevel.Optimal, leaveOpen: true)) compress.Write(tar.ToArray());
        return gzip.ToArray();
    }
}
