using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Alerts.Acknowledging;

/// <summary>Someone takes a firing alert on, with an optional note; it keeps firing until its condition ends.</summary>
public sealed record AcknowledgeAlert(Guid AlertId, string? Note) : IRequest<Accepted>;

public sealed class AcknowledgeAlertValidator : AbstractValidator<AcknowledgeAlert>
{
    public AcknowledgeAlertValidator() => RuleFor(x => x.Note).MaximumLength(1000);
}

public static class AcknowledgeAlertHandler
{
    private const string NotFound = "No such alert.";

    public static async Task<Result<Accepted>> Handle(AcknowledgeAlert command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var alert = await session.LoadAsync<AlertView>(command.AlertId, ct);
        if (alert is null) return Failure.NotFound(NotFound);
        if (await AlertAccess.CheckAsync(session, actor, alert.WorkspaceId, AlertAccess.Need.Respond, ct) is { } denied)
            return denied.Kind == FailureKind.NotFound ? Failure.NotFound(NotFound) : denied;
        return await AggregateStreams.DecideAsync<Alert>(session, Alert.StreamId(alert.Fingerprint), null,
            a => a.Acknowledge(command.AlertId, actor.Ref, command.Note, clock.GetUtcNow()), NotFound, ct);
    }
}
