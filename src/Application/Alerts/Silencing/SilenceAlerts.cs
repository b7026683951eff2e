using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Alerts.Silencing;

/// <summary>Holds back the notifications of a workspace's (or the platform's) alerts that match every matcher, until a time.</summary>
public sealed record SilenceAlerts(Guid? WorkspaceId, IReadOnlyList<LabelMatcher>? Matchers, DateTimeOffset Until, string? Reason) : IRequest<Accepted>;

public sealed class SilenceAlertsValidator : AbstractValidator<SilenceAlerts>
{
    public SilenceAlertsValidator()
    {
        RuleFor(x => x.Matchers).NotEmpty().WithMessage("Give at least one matcher, or the silence would cover everything.")
            .Must(m => m is null || m.Count <= 20).WithMessage("At most 20 matchers.");
        RuleForEach(x => x.Matchers).Must(m => m is { Name: not null, Operator: not null, Value: not null } && m.Value.Length <= 512)
            .WithMessage("Each matcher has a name, an operator and a value (at most 512 characters).");
        RuleFor(x => x.Reason).NotEmpty().WithMessage("Say why the alerts are silenced.").MaximumLength(1000);
    }
}

public static class SilenceAlertsHandler
{
    public static async Task<Result<Accepted>> Handle(SilenceAlerts command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (await AlertAccess.CheckAsync(session, actor, command.WorkspaceId, AlertAccess.Need.Respond, ct) is { } denied) return denied;
        var id = Guid.CreateVersion7();
        var decision = Silence.Start(id, command.WorkspaceId, command.Matchers!, command.Until, actor.Ref, command.Reason!, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        session.Events.StartStream<Silence>(id, decision.Events.ToArray());
        return new Accepted(id, 1);
    }
}

/// <summary>The silences of a workspace (or of the platform): active first, then ended ones.</summary>
public sealed record ListSilences(Guid? WorkspaceId, bool IncludeEnded = false) : IRequest<IReadOnlyList<SilenceView>>;

public static class ListSilencesHandler
{
    public static async Task<Result<IReadOnlyList<SilenceView>>> Handle(ListSilences query, Actor actor, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        if (await AlertAccess.CheckAsync(session, actor, query.WorkspaceId, AlertAccess.Need.Read, ct) is { } denied) return denied;
        var now = clock.GetUtcNow();
        var silences = session.Query<SilenceView>().Where(s => s.WorkspaceId == query.WorkspaceId);
        if (!query.IncludeEnded) silences = silences.Where(s => s.ExpiredAt == null && s.Until > now);
        return Result<IReadOnlyList<SilenceView>>.Ok(await silences.OrderByDescending(s => s.CreatedAt).Take(500).ToListAsync(ct));
    }
}

/// <summary>The sweep: silences past their end expire (an event each), on the evaluation's beat.</summary>
public static class ExpireSilencesHandler
{
    public static async Task<int> ExpireDueAsync(IDocumentSession session, DateTimeOffset now, CancellationToken ct)
    {
        var due = await session.Query<SilenceView>().Where(s => s.ExpiredAt == null && s.Until <= now).Select(s => s.Id).ToListAsync(ct);
        foreach (var id in due)
        {
            var stream = await session.Events.FetchForWriting<Silence>(id, ct);
            if (stream.Aggregate is { } silence) stream.AppendMany(silence.Expire(now).Events.ToArray());
        }
        return due.Count;
    }
}
