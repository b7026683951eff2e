using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Tenancy;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.ServiceMaps.ChangingSettings;

/// <summary>
/// Name, container defaults and Pod Security level. Loosening security is a workspace admin's call, within the
/// cluster assignment's ceiling and the security policies (see <see cref="PodSecurityBounds"/>).
/// </summary>
public sealed record ChangeServiceMapSettings(Guid ServiceMapId, string? Name, DefaultLimits? DefaultLimits, PodSecurityLevel? PodSecurity)
    : IRequest<Accepted>;

public sealed class ChangeServiceMapSettingsValidator : AbstractValidator<ChangeServiceMapSettings>
{
    public ChangeServiceMapSettingsValidator()
    {
        RuleFor(x => x.Name).MaximumLength(63).Must(n => n is null || n.Trim().Length > 0).WithMessage("A name cannot be blank.");
        RuleFor(x => x.DefaultLimits).ValidDefaultLimits();
        RuleFor(x => x.PodSecurity).IsInEnum().WithMessage("podSecurity is privileged, baseline or restricted.");
    }
}

public static class ChangeServiceMapSettingsHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeServiceMapSettings command, Actor actor, IDocumentSession session,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var map = await ServiceMapAccess.LoadAsync(session, actor, command.ServiceMapId, TenancyAccess.CanManage, ct);
        if (map.Failure is { } failure) return failure;
        var current = map.Value!;
        var bounds = await PodSecurityRules.BoundsAsync(session, current.WorkspaceId, current.ClusterId, current.Id, ct);
        if (bounds is null) return Failure.NotFound(ServiceMapAccess.NoSuchServiceMap);
        var result = await AggregateStreams.DecideAsync<ServiceMap>(session, current.Id, null,
            s => s.ChangeSettings(command.Name ?? current.Name, command.DefaultLimits ?? current.DefaultLimits,
                command.PodSecurity ?? current.PodSecurity, bounds, actor.Ref, clock.GetUtcNow()), ServiceMapAccess.NoSuchServiceMap, ct);
        if (result.Succeeded) await messages.PublishAsync(new ReconcileServiceMap(current.Id));
        return result;
    }
}
