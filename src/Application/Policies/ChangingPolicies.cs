using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Policies;

/// <summary>Platform admins set a workspace's security policy; every service map there is reconciled with it.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record SetWorkspacePolicy(Guid WorkspaceId, SecurityPolicy? Policy) : IRequest<Accepted>;

/// <summary>A service map's policy may only tighten its workspace's; the refusal names each field that would loosen it.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record SetServiceMapPolicy(Guid ServiceMapId, SecurityPolicy? Policy) : IRequest<Accepted>;

public sealed record GetWorkspacePolicy(Guid WorkspaceId) : IRequest<SecurityPolicyView>;

public sealed record GetServiceMapPolicy(Guid ServiceMapId) : IRequest<PolicySet>;

internal static class PolicyRules
{
    public static void Add<T>(AbstractValidator<T> validator, System.Linq.Expressions.Expression<Func<T, SecurityPolicy?>> policy)
    {
        validator.RuleFor(policy).NotNull().WithMessage("Give a policy.");
        validator.RuleFor(policy).Must(p => p is null || p.PodSecurity is null || Enum.IsDefined(p.PodSecurity.Value))
            .WithMessage("podSecurity is privileged, baseline or restricted.");
        validator.RuleFor(policy).Must(p => p is null || p.Registries.All(r => r.Length is > 0 and <= 253 && !r.Contains('/') && r.Trim() == r))
            .WithMessage("Registries are host names (with an optional port), like registry.example.com or docker.io.");
        validator.RuleFor(policy).Must(p => p?.MaxReplicas is null or >= 0).WithMessage("maxReplicas is zero or more.");
    }
}

public sealed class SetWorkspacePolicyValidator : AbstractValidator<SetWorkspacePolicy>
{
    public SetWorkspacePolicyValidator() => PolicyRules.Add(this, x => x.Policy);
}

public sealed class SetServiceMapPolicyValidator : AbstractValidator<SetServiceMapPolicy>
{
    public SetServiceMapPolicyValidator() => PolicyRules.Add(this, x => x.Policy);
}

public static class SetWorkspacePolicyHandler
{
    public static async Task<Result<Accepted>> Handle(SetWorkspacePolicy command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<WorkspaceView>(command.WorkspaceId, ct) is null) return Failure.NotFound(TenancyAccess.NoSuchWorkspace);
        var result = await PolicyStreams.ChangeAsync(session, command.WorkspaceId, PolicyScope.Workspace, command.Policy!, actor, clock, ct);
        if (result.Succeeded) await messages.PublishAsync(new ReconcileWorkspaceServiceMaps(command.WorkspaceId));
        return result;
    }
}

public static class SetServiceMapPolicyHandler
{
    public static async Task<Result<Accepted>> Handle(SetServiceMapPolicy command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var map = await session.LoadAsync<ServiceMapView>(command.ServiceMapId, ct);
        if (map is null) return Failure.NotFound(ServiceMapAccess.NoSuchServiceMap);
        var loosening = SecurityPolicy.Loosening(await EffectivePolicies.OwnAsync(session, map.WorkspaceId, ct), command.Policy!);
        if (loosening.Count > 0)
            return new Failure(FailureKind.Invalid, "A service map's policy may only tighten its workspace's.",
                loosening.GroupBy(l => l.Field).ToDictionary(g => g.Key, g => g.Select(l => l.Message).ToArray()));
        var result = await PolicyStreams.ChangeAsync(session, map.Id, PolicyScope.ServiceMap, command.Policy!, actor, clock, ct);
        if (result.Succeeded) await messages.PublishAsync(new ReconcileServiceMap(map.Id));
        return result;
    }
}

internal static class PolicyStreams
{
    public static async Task<Result<Accepted>> ChangeAsync(IDocumentSession session, Guid targetId, PolicyScope scope, SecurityPolicy policy,
        Actor actor, TimeProvider clock, CancellationToken ct)
    {
        var normalized = policy with { AllowedRegistries = policy.Registries.Select(r => r.ToLowerInvariant()).Distinct().Order().ToList() };
        var streamId = PolicyStream.StreamIdFor(targetId);
        var stream = await session.Events.FetchForWriting<PolicyStream>(streamId, ct);
        var current = stream.Aggregate ?? new PolicyStream(streamId, targetId, scope, SecurityPolicy.None);
        var decision = current.Change(normalized, actor.Ref, clock.GetUtcNow());
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(targetId, (stream.StartingVersion ?? 0) + decision.Events.Count);
    }
}

public static class GetWorkspacePolicyHandler
{
    public static async Task<Result<SecurityPolicyView>> Handle(GetWorkspacePolicy query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        return await session.LoadAsync<SecurityPolicyView>(PolicyStream.StreamIdFor(query.WorkspaceId), ct)
               ?? new SecurityPolicyView { Id = PolicyStream.StreamIdFor(query.WorkspaceId), TargetId = query.WorkspaceId, Scope = PolicyScope.Workspace };
    }
}

public static class GetServiceMapPolicyHandler
{
    public static async Task<Result<PolicySet>> Handle(GetServiceMapPolicy query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var map = await ServiceMapAccess.LoadAsync(session, actor, query.ServiceMapId, null, ct);
        if (map.Failure is { } failure) return failure;
        return await EffectivePolicies.ForAsync(session, map.Value!, ct);
    }
}
