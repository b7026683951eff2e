using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>
/// A validating admission webhook on https://127.0.0.1 with a throwaway CA: it records every AdmissionReview it receives
/// and answers with what <see cref="Decide"/> returns (null allows; a message denies). <see cref="Delay"/> slows it down.
/// </summary>
public sealed class AdmissionWebhookServer : IAsyncDisposable
{
    readonly WebApplication _app;

    public ConcurrentQueue<JsonObject> Reviews { get; } = new();
    public Func<JsonObject, string?> Decide { get; set; } = _ => null;
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>The code the denial's status carries; none when null (the apiserver then answers 403).</summary>
    public int? DenialCode { get; set; }
    public string Url { get; }

    /// <summary>The CA that signed the server certificate, PEM then base64, as clientConfig.caBundle carries it.</summary>
    public string CaBundle { get; }

    AdmissionWebhookServer(WebApplication app, string url, string caBundle) => (_app, Url, CaBundle) = (app, url, caBundle);

    public static async Task<AdmissionWebhookServer> StartAsync()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=admission-webhook-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(8));
        var serverCertificate = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pfx), null);

        var port = EchoBackend.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(serverCertificate)));
        var app = builder.Build();
        var server = new AdmissionWebhookServer(app, $"https://127.0.0.1:{port}/validate",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(ca.ExportCertificatePem())));
        app.MapPost("/validate", server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    async Task HandleAsync(HttpContext context)
    {
        var review = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        Reviews.Enqueue(review);
        if (Delay > TimeSpan.Zero)
        {
            try { await Task.Delay(Delay, context.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        var request = (JsonObject)review["request"]!;
        var denial = Decide(request);
        var response = new JsonObject { ["uid"] = request["uid"]!.GetValue<string>(), ["allowed"] = denial is null };
        if (denial is not null) response["status"] = new JsonObject { ["message"] = denial, ["code"] = DenialCode };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["response"] = response,
        }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
