using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Policies.SettingServiceMapPolicy;

/// <summary>A service map's policy may only tighten its workspace's; the refusal names each field that would loosen it.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record SetServiceMapPolicy(Guid ServiceMapId, SecurityPolicy? Policy) : IRequest<Accepted>;

public sealed class SetServiceMapPolicyValidator : AbstractValidator<SetServiceMapPolicy>
{
    public SetServiceMapPolicyValidator() => PolicyRules.Add(this, x => x.Policy);
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
        if (result.Succeeded)
        {
            await messages.PublishAsync(new ReconcileServiceMap(map.Id));
            await messages.PublishAsync(new ImageGateInputsChanged($"service map {map.Id} policy"));
        }
        return result;
    }
}
