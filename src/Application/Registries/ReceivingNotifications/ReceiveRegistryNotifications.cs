using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cocktail.Application.Common;
using Cocktail.Application.KubernetesAudit.Ingesting;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.Registries.InspectingImages;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Registries;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.Registries.ReceivingNotifications;

/// <summary>
/// The registry's notification webhook (Distribution's envelope, <c>application/vnd.docker.distribution.events.v1+json</c>),
/// authenticated by the configured secret as a bearer token. Each manifest pushed under a tag in a workspace's
/// repository becomes <see cref="ImagePushed"/>; blobs, pulls, untagged pushes and repositories outside any workspace
/// are answered 200 and recorded nowhere (the registry would retry anything else). The body is read only once the
/// sender is known.
/// </summary>
[Anonymous]
[Writes]
public sealed record ReceiveRegistryNotifications([property: Secret] string? Secret, IAuditBatchBody Body) : IRequest<RegistryNotificationReceipt>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed record RegistryNotificationReceipt(int Events, int Recorded, int Ignored);

public sealed record RegistryEnvelope(IReadOnlyList<RegistryEvent?>? Events);

public sealed record RegistryEvent(string? Id, DateTimeOffset? Timestamp, string? Action, RegistryTarget? Target, RegistryRequest? Request, RegistryActor? Actor);

public sealed record RegistryTarget(string? MediaType, long? Size, string? Digest, long? Length, string? Repository, string? Url, string? Tag);

public sealed record RegistryRequest(string? Id, string? Addr, string? Host, string? Method, string? UserAgent);

public sealed record RegistryActor(string? Name);

public static class ReceiveRegistryNotificationsHandler
{
    public const string Unauthorized = "Send the registry notification secret as a bearer token (notifications.endpoints[].headers.Authorization).";
    public const int MaxEvents = 1000;

    /// <summary>The manifest media types a tag can point at; blob pushes carry layer or config types.</summary>
    public static readonly IReadOnlySet<string> ManifestTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v1+json", "application/vnd.docker.distribution.manifest.v1+prettyjws",
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static bool SecretMatches(string? configured, string? presented) =>
        !string.IsNullOrEmpty(configured) && presented is not null &&
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(configured)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    public static async Task<Result<RegistryNotificationReceipt>> Handle(ReceiveRegistryNotifications command, IDocumentSession session,
        IMessageContext messages, IOptions<RegistryImagesOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (!SecretMatches(options.Value.NotificationSecret, command.Secret)) return Failure.Unauthorized(Unauthorized);
        var (envelope, error) = Read(await command.Body.ReadAsync(ct));
        if (error is not null) return Failure.Invalid(error, "body");

        var now = clock.GetUtcNow();
        var pushes = envelope!.Events!.Select(e => e!).Where(IsTaggedManifestPush).ToList();
        var recorded = 0;
        var workspaces = new Dictionary<string, WorkspaceView?>(StringComparer.Ordinal);
        foreach (var group in pushes.GroupBy(e => e.Target!.Repository!, StringComparer.Ordinal))
        {
            var repository = group.Key;
            var workspaceName = repository.Split('/')[0];
            if (!repository.Contains('/') || !RepositoryNames.IsValid(repository)) continue;
            if (!workspaces.TryGetValue(workspaceName, out var workspace))
                workspaces[workspaceName] = workspace = await session.Query<WorkspaceView>().FirstOrDefaultAsync(w => w.Name == workspaceName, ct);
            if (workspace is null) continue;

            var id = ImageRepository.IdFor(repository);
            var stream = await session.Events.FetchForWriting<ImageRepository>(id, ct);
            var state = stream.Aggregate;
            foreach (var push in group.OrderBy(e => e.Timestamp ?? now))
            {
                var target = push.Target!;
                var decision = ImageRepository.RecordPush(state, workspace.Id, workspace.Name, repository, target.Tag!, target.Digest!,
                    target.Size ?? target.Length ?? 0, target.MediaType!, push.Actor?.Name ?? "", push.Request?.Addr, push.Id ?? "", push.Timestamp ?? now);
                if (decision.IsRefused || decision.Events.Count == 0) continue;
                stream.AppendMany(decision.Events.ToArray());
                state = ImageRepository.Fold(state, decision.Events);
                recorded += decision.Events.Count;
                await messages.PublishAsync(new InspectImage(id, target.Digest!));
                await messages.PublishAsync(new ImageScanning.Scanning.ScanImage(workspace.Id, repository, target.Digest!, target.Tag, "pushed"));
                await messages.PublishAsync(new Pipelines.Triggering.RegistryImagePushed(workspace.Id, repository, target.Tag!, target.Digest!));
            }
        }
        return new RegistryNotificationReceipt(envelope.Events!.Count, recorded, envelope.Events.Count - recorded);
    }

    public static bool IsTaggedManifestPush(RegistryEvent e) =>
        e.Action == "push" && e.Target is { Repository: { Length: > 0 }, Tag: { Length: > 0 } tag, Digest: { Length: > 0 } digest, MediaType: { } type } &&
        ManifestTypes.Contains(type) && RepositoryNames.IsValidTag(tag) && Digests.IsValid(digest);

    /// <summary>The envelope whole, or why it is refused (nothing is recorded then).</summary>
    public static (RegistryEnvelope? Envelope, string? Error) Read(ReadOnlyMemory<byte> body)
    {
        RegistryEnvelope? envelope;
        try { envelope = JsonSerializer.Deserialize<RegistryEnvelope>(body.Span, Json); }
        catch (JsonException e) { return (null, $"The body is not the registry's notification envelope: {e.Message}"); }
        if (envelope?.Events is null) return (null, "The envelope has no 'events'.");
        if (envelope.Events.Count > MaxEvents) return (null, $"At most {MaxEvents} events in one envelope.");
        if (envelope.Events.Any(e => e is null || string.IsNullOrEmpty(e.Action))) return (null, "Every event needs an 'action'.");
        return (envelope, null);
    }
}
