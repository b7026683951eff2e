using System.Text.Json.Nodes;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Releases.Flux;

/// <summary>Whether Flux (its CRDs and the source- and helm-controller) is on the cluster, read now.</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetFluxPresence(Guid ClusterId) : IRequest<FluxPresenceView>;

public sealed record FluxPresenceView(Guid ClusterId, string ClusterName, bool Installed, bool Ready, string Summary, IReadOnlyList<string> MissingCrds,
    IReadOnlyList<FluxController> Controllers);

/// <summary>
/// Installs Flux from the install manifest an admin provides (the text of <c>flux install --export</c> or the
/// release's <c>install.yaml</c>, uploaded, or its http(s) URL): every document is applied with server-side apply, in
/// order, after all of them were read (bounded) so a manifest that does not parse applies nothing.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
[Writes]
public sealed record InstallFlux(Guid ClusterId, string? Manifest = null, string? Url = null, string? Reason = null) : IRequest<FluxPresenceView>;

public sealed class InstallFluxValidator : AbstractValidator<InstallFlux>
{
    public InstallFluxValidator()
    {
        RuleFor(x => x).Must(x => string.IsNullOrWhiteSpace(x.Manifest) != string.IsNullOrWhiteSpace(x.Url))
            .WithName("manifest").WithMessage("Give the install manifest or its URL (one of them).");
        RuleFor(x => x.Manifest).MaximumLength(IFluxManifests.MaxBytes).WithMessage("The manifest is at most 8 MiB.");
        RuleFor(x => x.Url).MaximumLength(2048)
            .Must(u => u is null || (Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
            .WithMessage("An http(s) URL.");
        RuleFor(x => x.Reason).MaximumLength(500);
    }
}

/// <summary>Reads a Flux install manifest: bounded YAML (size, depth, no aliases), every document a Kubernetes object.</summary>
public interface IFluxManifests
{
    public const int MaxBytes = 8 * 1024 * 1024;

    /// <summary>The manifest's objects; failures are field errors on <c>manifest</c> or <c>url</c>.</summary>
    Task<Result<IReadOnlyList<JsonObject>>> ReadAsync(string? manifest, string? url, CancellationToken ct);
}

public static class GetFluxPresenceHandler
{
    public static async Task<Result<FluxPresenceView>> Handle(GetFluxPresence query, IQuerySession session, IFluxGateway flux, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var (presence, failure) = await flux.DetectAsync(cluster.Id, ct);
        if (presence is null) return new Failure(FailureKind.Unavailable, $"'{cluster.Name}' cannot be reached: {failure?.Message}");
        return View(cluster, presence);
    }

    internal static FluxPresenceView View(ClusterView cluster, FluxPresence p) =>
        new(cluster.Id, cluster.Name, p.Installed, p.Ready, p.Summary, p.MissingCrds, p.Controllers);
}

public static class InstallFluxHandler
{
    public static async Task<Result<FluxPresenceView>> Handle(InstallFlux command, Actor actor, IDocumentSession session, IFluxGateway flux,
        IFluxManifests manifests, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var read = await manifests.ReadAsync(command.Manifest, command.Url, ct);
        if (read.Failure is { } bad) return bad;
        var objects = read.Value!;
        var failure = await flux.ApplyAsync(cluster.Id, objects, ct);
        if (failure is not null)
            return failure.Unreachable
                ? new Failure(FailureKind.Unavailable, $"'{cluster.Name}' cannot be reached: {failure.Message}")
                : Failure.Invalid($"The cluster refused the manifest: {failure.Message}", "manifest");
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join("\n---\n", objects.Select(o => o.ToJsonString())))));
        var source = command.Url is { } url ? Redacted(url) : "an uploaded manifest";
        session.Events.Append(cluster.Id, new FluxInstalled(cluster.Id, cluster.Name, objects.Count, source, "sha256:" + digest, actor.Ref, clock.GetUtcNow(),
            ChartReleases.Reason(command.Reason)));
        var (presence, _) = await flux.DetectAsync(cluster.Id, ct);
        return GetFluxPresenceHandler.View(cluster, presence ?? new FluxPresence([], []));
    }

    /// <summary>A URL without its user info or query (they may hold a token).</summary>
    private static string Redacted(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}{uri.AbsolutePath}" : "a URL";
}
