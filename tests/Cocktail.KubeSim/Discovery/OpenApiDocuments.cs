using System.Text.Json;

namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// The Kubernetes project's own OpenAPI v3 documents (one per group/version) kept in <c>shared/kubernetes/openapi-v3</c>.
/// They are served verbatim and are also the source of truth for which kinds, verbs and subresources exist.
/// Loaded once per process: hundreds of simulated clusters share them.
/// </summary>
public static class OpenApiDocuments
{
    const string RelativeDirectory = "shared/kubernetes/openapi-v3";
    static readonly Lazy<string> LazyDirectory = new(Locate);
    static readonly Lazy<IReadOnlyDictionary<string, string>> LazyFilesByPath = new(IndexFiles);

    public static string Directory => LazyDirectory.Value;

    /// <summary>Served path (e.g. <c>apis/apps/v1</c>) → file.</summary>
    public static IReadOnlyDictionary<string, string> FilesByPath => LazyFilesByPath.Value;

    static string Locate()
    {
        var overridden = Environment.GetEnvironmentVariable("COCKTAIL_SHARED_DIR");
        if (!string.IsNullOrEmpty(overridden))
        {
            var candidate = Path.Combine(overridden, "kubernetes", "openapi-v3");
            if (System.IO.Directory.Exists(candidate)) return candidate;
            if (System.IO.Directory.Exists(Path.Combine(overridden, "openapi-v3"))) return Path.Combine(overridden, "openapi-v3");
            throw new DirectoryNotFoundException($"COCKTAIL_SHARED_DIR={overridden} holds no kubernetes/openapi-v3");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, RelativeDirectory);
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"Could not find {RelativeDirectory} above {AppContext.BaseDirectory}; set COCKTAIL_SHARED_DIR to the shared folder");
    }

    static IReadOnlyDictionary<string, string> IndexFiles()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*_openapi.json"))
        {
            var name = Path.GetFileName(file)[..^"_openapi.json".Length];
            map[name.Replace("__", "/")] = file;
        }
        return map;
    }

    /// <summary>Body of <c>GET /openapi/v3</c>: every path with a hash-pinned URL, as the apiserver lists them.</summary>
    public static byte[] Index(Func<string, bool> isServed)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("paths");
            foreach (var (path, file) in FilesByPath.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!isServed(path)) continue;
                writer.WriteStartObject(path);
                writer.WriteString("serverRelativeURL", $"/openapi/v3/{path}?hash={Hash(file)}");
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Hashes = new();

    public static string Hash(string file) => Hashes.GetOrAdd(file, f =>
        Convert.ToHexString(System.Security.Cryptography.SHA512.HashData(File.ReadAllBytes(f))));
}
