using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.ConfiguringGate;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.ImageScanning;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.ImageScanning.Reconciling;

/// <summary>
/// Make the cluster hold the image gate's ValidatingWebhookConfiguration (or none, once the setting is cleared). Sent
/// through the durable outbox after every change of the setting, when the cluster recovers, and by the periodic pass
/// (which also brings a renewed serving certificate's CA to every cluster). Idempotent.
/// </summary>
public sealed record ReconcileImageGate(Guid ClusterId, int Attempt = 0);

/// <summary>The periodic pass over every cluster with an image gate setting.</summary>
public sealed record CheckAllImageGates;

/// <summary>The webhook configuration as the cluster should hold it.</summary>
public sealed record ImageGateWebhook(string Url, string CaBundlePem, int TimeoutSeconds);

/// <summary>Writes (server-side apply) or removes the <c>cocktail-image-gate</c> ValidatingWebhookConfiguration.</summary>
public interface IImageGateWebhookApplier
{
    Task<ApplyOutcome> ApplyAsync(ClusterConnection cluster, ImageGateWebhook webhook, CancellationToken ct);
    Task<ApplyOutcome> RemoveAsync(ClusterConnection cluster, CancellationToken ct);
}

/// <summary>The admission listener's serving certificate, as clusters must trust it.</summary>
public interface IAdmissionCertificate
{
    /// <summary>The PEM the webhook's caBundle carries (the CA, or the self-signed certificate itself).</summary>
    Task<string> CaBundlePemAsync(CancellationToken ct);

    /// <summary>The certificate with its key, for the listener.</summary>
    Task<System.Security.Cryptography.X509Certificates.X509Certificate2> CertificateAsync(CancellationToken ct);

    /// <summary>The certificate once loaded (the listener loads it at start), for TLS handshakes that must not wait.</summary>
    System.Security.Cryptography.X509Certificates.X509Certificate2? Current { get; }
}

public static class ReconcileImageGateHandler
{
    public static async Task Handle(ReconcileImageGate command, IDocumentSession session, IImageGateWebhookApplier applier, ICredentialVault vault,
        IAdmissionCertificate certificate, IOptions<Gating.ImageGateOptions> options, IMessageContext messages, TimeProvider clock,
        IExclusiveTurns turns, CancellationToken ct)
    {
        // One pass per cluster at a time across replicas: an older pass finishing last would put back an old URL.
        await using var turn = await turns.TakeAsync("image-gate", command.ClusterId, ct);
        var stream = await session.Events.FetchForWriting<ClusterImageGate>(ClusterImageGate.StreamIdFor(command.ClusterId), ct);
        if (stream.Aggregate is not { } gate) return; // never configured: nothing of Cocktail's is on the cluster
        var credential = await session.LoadAsync<ClusterCredential>(command.ClusterId, ct);
        if (credential is null) return; // unregistered
        var cluster = vault.Unprotect(credential.Protected);

        ApplyOutcome outcome;
        string? fingerprint = null;
        if (gate.WebhookUrl is { } url)
        {
            var ca = await certificate.CaBundlePemAsync(ct);
            fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ca)));
            outcome = await applier.ApplyAsync(cluster, new ImageGateWebhook(AdmissionPaths.Url(url, command.ClusterId), ca, options.Value.WebhookTimeoutSeconds), ct);
        }
        else outcome = await applier.RemoveAsync(cluster, ct);

        var decision = gate.RecordApply(outcome, fingerprint, clock.GetUtcNow());
        stream.AppendMany(decision.Events.ToArray());
        // The cluster did not answer: try again soon, then less often (its recovery and the periodic pass try too).
        if (outcome.Result == ApplyResult.Unreachable)
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
        await session.SaveChangesAsync(ct);
    }
}

public static class CheckAllImageGatesHandler
{
    public static async Task<IEnumerable<ReconcileImageGate>> Handle(CheckAllImageGates _, IQuerySession session, CancellationToken ct) =>
        (await session.Query<ClusterImageGateView>().Select(v => v.ClusterId).ToListAsync(ct)).Select(id => new ReconcileImageGate(id));
}
