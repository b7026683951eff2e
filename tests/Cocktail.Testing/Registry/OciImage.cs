using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Cocktail.Testing.Registry;

/// <summary>A content-addressed blob: its bytes, <c>sha256:...</c> digest and media type.</summary>
public sealed record OciBlob(string MediaType, byte[] Content)
{
    public string Digest { get; } = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Content));
    public long Size => Content.Length;
}

/// <summary>
/// A small, valid single-platform OCI image: one gzip layer holding a text file, its config (with the layer's diff id
/// and a created time) and the manifest. Different <c>content</c> gives different digests.
/// </summary>
public sealed record OciImage(OciBlob Config, OciBlob Layer, OciBlob Manifest)
{
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    public const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";

    public string Digest => Manifest.Digest;

    /// <summary>Config + layer + manifest sizes, as a registry UI would add them up.</summary>
    public long TotalSize => Config.Size + Layer.Size + Manifest.Size;

    public static OciImage Create(string content = "hello from cocktail", DateTimeOffset? created = null)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content + "\n")),
                ModificationTime = DateTimeOffset.UnixEpoch,
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            };
            writer.WriteEntry(entry);
        }
        var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar.ToArray()));
        var gzip = new MemoryStream();
        using (var compress = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true)) compress.Write(tar.ToArray());
        var layer = new OciBlob(LayerMediaType, gzip.ToArray());

        var config = new OciBlob(ConfigMediaType, Encoding.UTF8.GetBytes(new JsonObject
        {
            ["created"] = (created ?? DateTimeOffset.UtcNow).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject { ["Cmd"] = new JsonArray("cat", "/hello.txt") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
            ["history"] = new JsonArray(new JsonObject { ["created_by"] = "cocktail tests", ["comment"] = content }),
        }.ToJsonString()));

        var manifest = new OciBlob(ManifestMediaType, Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestMediaType,
            ["config"] = Descriptor(config),
            ["layers"] = new JsonArray(Descriptor(layer)),
        }.ToJsonString()));
        return new OciImage(config, layer, manifest);
    }

    static JsonObject Descriptor(OciBlob blob) => new() { ["mediaType"] = blob.MediaType, ["digest"] = blob.Digest, ["size"] = blob.Size };

    /// <summary>
    /// Writes the image as an OCI image layout (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/</c>) under
    /// <paramref name="directory"/> with the reference name <paramref name="tag"/>, for <c>skopeo copy oci:DIR:TAG ...</c>.
    /// </summary>
    public string WriteLayout(string directory, string tag = "latest")
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        foreach (var blob in new[] { Config, Layer, Manifest })
            File.WriteAllBytes(Path.Combine(blobs, blob.Digest["sha256:".Length..]), blob.Content);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = ManifestMediaType, ["digest"] = Manifest.Digest, ["size"] = Manifest.Size,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
            }),
        };
        File.WriteAllText(Path.Combine(directory, "index.json"), index.ToJsonString());
        return $"oci:{directory}:{tag}";
    }
}
