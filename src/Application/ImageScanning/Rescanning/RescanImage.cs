using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Scanning;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Registries;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.ImageScanning.Rescanning;

/// <summary>A person asks for an image of their workspace's registry to be scanned now (a new CVE made the news).</summary>
[Writes]
public sealed record RescanImage(Guid WorkspaceId, string? Repository, string? Digest) : IRequest<RescanQueued>;

/// <summary>The scan is queued (or already was); its outcome appears on the image's scan record.</summary>
public sealed record RescanQueued(string Digest, string Repository, string Status);

public sealed class RescanImageValidator : AbstractValidator<RescanImage>
{
    public RescanImageValidator()
    {
        RuleFor(x => x.Repository).NotEmpty().WithMessage("Name the repository, as <workspace>/<name>.")
            .Must(r => r is null || RepositoryNames.IsValid(r)).WithMessage($"A repository name is {RepositoryNames.Rule}.");
        RuleFor(x => x.Digest).NotEmpty().WithMessage("Name the image by digest (sha256:...).")
            .Must(d => d is null || Digests.IsValid(d)).WithMessage("A digest is sha256: and 64 lowercase hexadecimal characters.");
    }
}

public static class RescanImageHandler
{
    public const string NoSuchImage = "No such image in this workspace's registry.";

    public static async Task<Result<RescanQueued>> Handle(RescanImage command, Actor actor, IDocumentSession session, IMessageContext messages,
        IOptions<ImageScanningOptions> options, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanDeploy, ct);
        if (workspace.Failure is { } failure) return failure;
        var repository = await session.LoadAsync<ImageRepositoryView>(ImageRepository.IdFor(command.Repository!), ct);
        var tag = repository is null || repository.WorkspaceId != command.WorkspaceId ? null : repository.Tags.FirstOrDefault(t => t.Digest == command.Digest);
        if (tag is null) return Failure.NotFound(NoSuchImage);
        if (!options.Value.Enabled) return Failure.Conflict("Image scanning is turned off on this platform (Cocktail:ImageScanning:Enabled).");
        await messages.PublishAsync(new ScanImage(command.WorkspaceId, repository!.Name, command.Digest!, tag.Tag, $"requested by {actor.Ref}"));
        return new RescanQueued(command.Digest!, repository.Name, "Queued");
    }
}
