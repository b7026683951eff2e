using Cocktail.Application.Common;
using Cocktail.Application.Registries;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Builds;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.Builds.Running;

/// <summary>Queues a run of a definition (of a given commit when the tag needs one); it starts when the workspace has a free slot.</summary>
public sealed record RunBuild(Guid DefinitionId, string? Commit) : IRequest<Accepted>;

/// <summary>Runs a build again: the same definition, as it is now, and the same commit.</summary>
public sealed record RerunBuild(Guid BuildId) : IRequest<Accepted>;

public sealed class RunBuildValidator : AbstractValidator<RunBuild>
{
    public RunBuildValidator() =>
        RuleFor(x => x.Commit).Must(c => c is null || BuildRules.IsValidCommit(c)).WithMessage("A commit is 7 to 40 lowercase hexadecimal characters.");
}

public static class RunBuildHandler
{
    public static async Task<Result<Accepted>> Handle(RunBuild command, Actor actor, IDocumentSession session, IOptions<RegistryOptions> registry,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var definition = await BuildAccess.DefinitionAsync(session, actor, command.DefinitionId, TenancyAccess.CanDeploy, ct);
        if (definition.Failure is { } denied) return denied;
        return await QueueAsync(definition.Value!.Id, command.Commit, null, actor, session, registry.Value, messages, clock, ct);
    }

    public static async Task<Result<Accepted>> QueueAsync(Guid definitionId, string? commit, Guid? rerunOf, Actor actor, IDocumentSession session,
        RegistryOptions registry, IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        if (!registry.Configured) return Failure.Conflict("No registry is configured: builds push to the workspace registry (Cocktail:Registry).");
        if (await session.Events.FetchLatest<BuildSettings>(BuildSettings.StreamId, ct) is null)
            return Failure.Conflict("No build cluster is set up yet: a platform admin chooses one under Platform → Builds.");
        var stream = await session.Events.FetchForWriting<BuildDefinition>(definitionId, ct);
        if (stream.Aggregate is null) return Failure.NotFound(BuildAccess.NoSuchDefinition);
        var number = await session.Query<BuildView>().CountAsync(b => b.DefinitionId == definitionId, ct) + 1;
        var id = Guid.CreateVersion7();
        var decision = stream.Aggregate.Queue(id, number, registry.Address!, commit, rerunOf, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        session.Events.StartStream<Build>(id, decision.Events.ToArray());
        await messages.PublishAsync(new Dispatching.DispatchBuilds(stream.Aggregate.WorkspaceId));
        return new Accepted(id, 1);
    }
}

public static class RerunBuildHandler
{
    public static async Task<Result<Accepted>> Handle(RerunBuild command, Actor actor, IDocumentSession session, IOptions<RegistryOptions> registry,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var build = await BuildAccess.BuildAsync(session, actor, command.BuildId, TenancyAccess.CanDeploy, ct);
        if (build.Failure is { } denied) return denied;
        return await RunBuildHandler.QueueAsync(build.Value!.DefinitionId, build.Value.Commit, build.Value.Id, actor, session, registry.Value, messages, clock, ct);
    }
}
