using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Testing.Monitoring;

namespace Cocktail.Testing.Registry;

/// <summary>Token authentication for the registry: where clients get tokens, and whose signatures it trusts.</summary>
public sealed record RegistryTokenAuth(Uri Realm, string Service, string Issuer, string CertificatePem);

/// <summary>
/// A notification endpoint (Distribution's <c>notifications.endpoints</c>): the registry POSTs event envelopes to
/// <see cref="Url"/> with <see cref="Headers"/> (e.g. <c>Authorization: Bearer &lt;secret&gt;</c>), retrying after
/// <see cref="Backoff"/> once <see cref="Threshold"/> failures in a row have been seen.
/// </summary>
public sealed record RegistryNotifications(Uri Url, IReadOnlyDictionary<string, string> Headers)
{
    public int Threshold { get; init; } = 3;
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Actions the registry does not report (e.g. <c>pull</c>).</summary>
    public IReadOnlyList<string> IgnoredActions { get; init; } = [];
    /// <summary>Media types the registry does not report (e.g. layers: <c>application/octet-stream</c>).</summary>
    public IReadOnlyList<string> IgnoredMediaTypes { get; init; } = [];
}

public sealed record RegistrySettings
{
    /// <summary>Null: the registry lets everyone push and pull (no auth).</summary>
    public RegistryTokenAuth? Token { get; init; }
    public RegistryNotifications? Notifications { get; init; }
}

/// <summary>
/// The real registry (CNCF Distribution 2.8, <c>/usr/bin/docker-registry</c>, Debian package <c>docker-registry</c>) on a
/// free 127.0.0.1 port over plain HTTP, with filesystem storage in a temporary folder and deletes enabled;
/// <c>Skip.IfNot(RegistryServer.Available, RegistryServer.MissingReason)</c> where it is missing.
/// <para>
/// With Cocktail as its token server, Cocktail must know the registry's address before it starts and the registry
/// must know Cocktail's realm and certificate before it starts: <see cref="Reserve"/> a port, start the app with
/// <c>app.WithRegistry(registry)</c>, then <c>registry.StartAsync(app.RegistryTokenAuth())</c> (or <c>app.StartRegistryAsync</c>).
/// </para>
/// </summary>
public sealed class RegistryServer : ExternalProcess
{
    public const string Executable = "/usr/bin/docker-registry";

    public static bool Available => File.Exists(Executable);

    public const string MissingReason = "The registry is not installed (/usr/bin/docker-registry; apt-get install docker-registry)";

    RegistryServer() : base("registry") { }

    public RegistrySettings Settings { get; private set; } = new();

    public bool Started { get; private set; }

    public string ConfigPath => System.IO.Path.Combine(Directory, "config.yml");

    public string StoragePath => System.IO.Path.Combine(Directory, "storage");

    /// <summary>host:port as image references and docker configs name the registry.</summary>
    public string Authority => $"127.0.0.1:{Port}";

    /// <summary><c>127.0.0.1:PORT/repository:tag</c></summary>
    public string Reference(string repository, string tag = "latest") => $"{Authority}/{repository}:{tag}";

    /// <summary>A registry with its port chosen but not started yet.</summary>
    public static RegistryServer Reserve()
    {
        var server = new RegistryServer();
        server.ReservePort();
        return server;
    }

    /// <summary>Reserves a port and starts at once (no auth, or token auth whose realm is already known).</summary>
    public static async Task<RegistryServer> StartAsync(RegistrySettings settings)
    {
        var server = Reserve();
        try
        {
            return await server.StartAsync(settings, TimeSpan.FromSeconds(30));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task<RegistryServer> StartAsync(RegistrySettings settings, TimeSpan? timeout = null)
    {
        if (Started) throw new InvalidOperationException("The registry has started already.");
        WriteConfig(settings);
        // GET / answers 200 once the HTTP server listens, with or without auth (/v2/ answers 401 under token auth).
        await StartAsync(Executable, _ => ["serve", ConfigPath], "", timeout ?? TimeSpan.FromSeconds(30));
        Started = true;
        return this;
    }

    void WriteConfig(RegistrySettings settings)
    {
        Settings = settings;
        System.IO.Directory.CreateDirectory(StoragePath);
        var config = new JsonObject
        {
            ["version"] = "0.1",
            ["log"] = new JsonObject { ["level"] = "info", ["formatter"] = "text" },
            ["storage"] = new JsonObject
            {
                ["filesystem"] = new JsonObject { ["rootdirectory"] = StoragePath },
                ["delete"] = new JsonObject { ["enabled"] = true },
                ["maintenance"] = new JsonObject { ["uploadpurging"] = new JsonObject { ["enabled"] = false } },
            },
            ["http"] = new JsonObject
            {
                ["addr"] = $"127.0.0.1:{Port}",
                ["secret"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
                ["headers"] = new JsonObject { ["X-Content-Type-Options"] = new JsonArray("nosniff") },
            },
        };
        if (settings.Token is { } token)
        {
            var bundle = System.IO.Path.Combine(Directory, "token-signer.pem");
            File.WriteAllText(bundle, token.CertificatePem);
            config["auth"] = new JsonObject
            {
                ["token"] = new JsonObject
                {
                    ["realm"] = token.Realm.ToString(),
                    ["service"] = token.Service,
                    ["issuer"] = token.Issuer,
                    ["rootcertbundle"] = bundle,
                },
            };
        }
        if (settings.Notifications is { } notifications)
        {
            var endpoint = new JsonObject
            {
                ["name"] = "cocktail",
                ["url"] = notifications.Url.ToString(),
                ["headers"] = new JsonObject(notifications.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)new JsonArray(h.Value)))),
                ["timeout"] = Duration(notifications.Timeout),
                ["threshold"] = notifications.Threshold,
                ["backoff"] = Duration(notifications.Backoff),
            };
            if (notifications.IgnoredActions.Count > 0 || notifications.IgnoredMediaTypes.Count > 0)
                endpoint["ignore"] = new JsonObject
                {
                    ["actions"] = new JsonArray(notifications.IgnoredActions.Select(a => (JsonNode?)a).ToArray()),
                    ["mediatypes"] = new JsonArray(notifications.IgnoredMediaTypes.Select(a => (JsonNode?)a).ToArray()),
                };
            config["notifications"] = new JsonObject
            {
                ["events"] = new JsonObject { ["includereferences"] = true },
                ["endpoints"] = new JsonArray(endpoint),
            };
        }
        // JSON is YAML: no hand-written quoting.
        File.WriteAllText(ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    static string Duration(TimeSpan span) => $"{(long)span.TotalMilliseconds}ms";
}
