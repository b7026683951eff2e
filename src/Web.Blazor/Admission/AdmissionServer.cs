using System.Net;
using System.Text.Json.Nodes;
using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Application.ImageScanning.Reconciling;
using Cocktail.Web.Api;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Cocktail.Web.Admission;

/// <summary>
/// The admission endpoint's own HTTPS listener (<see cref="ImageGateOptions.Listen"/>): the API servers of the
/// clusters call it with the caBundle Cocktail registered, anonymously, so it serves nothing else (the admission
/// reviews and a health check) and none of the console's middleware runs on it. A Kestrel of its own rather than a
/// second endpoint of the console's: the console may be served plain HTTP behind a proxy, and its pipeline (sign-in,
/// antiforgery, Blazor) costs time on a path the API server waits for.
/// </summary>
public sealed class AdmissionServer(ImageAdmissions admissions, IAdmissionCertificate certificate, IOptions<ImageGateOptions> options,
    ILogger<AdmissionServer> logger) : IHostedService, IAsyncDisposable
{
    public const string HealthPath = "/healthz";
    private const string Prefix = "/api/v1/admission/clusters/";
    private const string Suffix = "/pods";

    private WebApplication? _app;

    /// <summary>Where the listener is bound (with the port chosen when the option says 0); null when it is off.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.Listen)) return;
        if (!Uri.TryCreate(options.Value.Listen, UriKind.Absolute, out var listen) || listen.Scheme != Uri.UriSchemeHttps)
            throw new InvalidOperationException($"{ImageGateOptions.Section}:Listen is https://host:port (the API server calls webhooks over https only).");
        var serving = await certificate.CertificateAsync(cancellationToken);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.Value.MaxBodyBytes;
            kestrel.Listen(ListenAddress(listen.Host), listen.Port, endpoint =>
                endpoint.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => certificate.Current ?? serving }));
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            // Usually the port is taken (another replica or program on this machine): say which setting moves it.
            throw new InvalidOperationException($"The image gate's admission listener cannot listen on {options.Value.Listen}: {e.Message} " +
                $"Set {ImageGateOptions.Section.Replace(":", "__")}__Listen to another https://address:port, or to an empty value to turn the listener off.", e);
        }
        var bound = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1"));
        logger.LogInformation("Image gate admission endpoint listening on {Address}", bound);
    }

    private static IPAddress ListenAddress(string host) =>
        host is "*" or "+" or "0.0.0.0" ? IPAddress.Any
        : host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip
        : throw new InvalidOperationException($"{ImageGateOptions.Section}:Listen names an IP address (or 0.0.0.0), not '{host}'.");

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (HttpMethods.IsGet(http.Request.Method) && path == HealthPath)
        {
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync("ok", http.RequestAborted);
            return;
        }
        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || !path.EndsWith(Suffix, StringComparison.Ordinal) ||
            !Guid.TryParse(path.AsSpan(Prefix.Length, path.Length - Prefix.Length - Suffix.Length), out var clusterId))
        {
            await ProblemAsync(http, 404, "Not found", "The admission listener answers POST /api/v1/admission/clusters/{clusterId}/pods only.", null);
            return;
        }
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.Headers.Allow = "POST";
            await ProblemAsync(http, 405, "Method not allowed", "Send the AdmissionReview with POST.", null);
            return;
        }
        if (http.Request.ContentLength > options.Value.MaxBodyBytes)
        {
            await ProblemAsync(http, 413, "Too large", $"An AdmissionReview is at most {options.Value.MaxBodyBytes} bytes.", null);
            return;
        }
        AdmissionAnswer answer;
        using (var body = new PooledRequestBody(http.Request))
        {
            ReadOnlyMemory<byte> bytes;
            try { bytes = await body.ReadAsync(http.RequestAborted); }
            catch (BadHttpRequestException e) when (e.StatusCode == 413)
            {
                await ProblemAsync(http, 413, "Too large", $"An AdmissionReview is at most {options.Value.MaxBodyBytes} bytes.", null);
                return;
            }
            answer = await admissions.ReviewAsync(clusterId, bytes, http.RequestAborted);
        }
        if (answer.Review is null)
        {
            await ProblemAsync(http, 400, "The request is not valid.", answer.Problem!, answer.Field);
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer.Review, http.RequestAborted);
    }

    private static Task ProblemAsync(HttpContext http, int status, string title, string detail, string? field)
    {
        var problem = new JsonObject { ["title"] = title, ["status"] = status, ["detail"] = detail };
        if (field is not null) problem["errors"] = new JsonObject { [field] = new JsonArray(detail) };
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/problem+json";
        return http.Response.WriteAsync(problem.ToJsonString(), http.RequestAborted);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _app = null;
    }
}
