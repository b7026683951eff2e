using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cocktail.Integration.Tests.Charts;

/// <summary>
/// A web server that answers exactly what a test sets per path (status and bytes), for what a well-behaved chart
/// repository never serves: archives escaping their folder, oversized bodies, HTML at index.yaml.
/// </summary>
public sealed class RawChartFiles : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (int Status, byte[] Body)> _files = new(StringComparer.Ordinal);

    private RawChartFiles(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public static async Task<RawChartFiles> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new RawChartFiles(app);
        app.Run(async context =>
        {
            if (server._files.TryGetValue(context.Request.Path.Value ?? "", out var file))
            {
                context.Response.StatusCode = file.Status;
                await context.Response.Body.WriteAsync(file.Body);
            }
            else context.Response.StatusCode = StatusCodes.Status404NotFound;
        });
        await app.StartAsync();
        server.Url = $"http://127.0.0.1:{new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port}";
        return server;
    }

    public RawChartFiles Serve(string path, byte[] body, int status = 200)
    {
        _files[path] = (status, body);
        return this;
    }

    public RawChartFiles Serve(string path, string body, int status = 200) => Serve(path, Encoding.UTF8.GetBytes(body), status);

    /// <summary>An index listing one version of one chart at <c>charts/&lt;name&gt;-&lt;version&gt;.tgz</c> (relative, as helm repo index writes without --url).</summary>
    public RawChartFiles ServeChart(string name, string version, byte[] package, string? digest = null)
    {
        Serve($"/charts/{name}-{version}.tgz", package);
        return Serve("/index.yaml", $"""
            apiVersion: v1
            entries:
              {name}:
              - name: {name}
                version: {version}
                appVersion: "2.0"
                description: The {name} chart
                keywords: [web, demo]
                urls: [charts/{name}-{version}.tgz]
                digest: {digest ?? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(package))}
                created: "2026-01-02T03:04:05.123456789Z"
            generated: "2026-01-02T03:04:05Z"
            """);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A gzip-compressed ustar archive of exactly these entries (a null text is a symbolic link to "/etc/passwd").</summary>
    public static byte[] Tgz(params (string Path, string? Text)[] entries)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (path, text) in entries)
            {
                if (text is null)
                    writer.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, path) { LinkName = "/etc/passwd" });
                else
                    writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }
        var gzip = new MemoryStream();
        using (var compress = new GZipStream(gzip, CompressionLevel.Optimal, leaveOpen: true)) compress.Write(tar.ToArray());
        return gzip.ToArray();
    }

    public static byte[] Chart(string name, string version, string values = "replicas: 1\n", string? schema = null, string? readme = null)
    {
        var entries = new List<(string, string?)>
        {
            ($"{name}/Chart.yaml", $"apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"2.0\"\ndescription: The {name} chart\nkeywords: [web]\n"),
            ($"{name}/values.yaml", values),
            ($"{name}/templates/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
        };
        if (schema is not null) entries.Add(($"{name}/values.schema.json", schema));
        if (readme is not null) entries.Add(($"{name}/README.md", readme));
        return Tgz([.. entries]);
    }
}
