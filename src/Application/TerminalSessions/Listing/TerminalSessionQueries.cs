using Cocktail.Application.Common;
using Marten;

namespace Cocktail.Application.TerminalSessions.Listing;

/// <summary>Terminal sessions, newest first: platform admins and auditors see all, everyone else their own.</summary>
public sealed record ListTerminalSessions(int Page = 1, int PageSize = 50) : IRequest<Page<TerminalSessionView>>;

public sealed record GetTerminalSession(Guid SessionId) : IRequest<TerminalSessionView>;

/// <summary>The session's asciicast v2 recording (<c>.cast</c>).</summary>
public sealed record GetTerminalRecording(Guid SessionId) : IRequest<TerminalRecordingFile>;

public sealed record TerminalRecordingFile(string FileName, string Cast, bool Truncated);

internal static class TerminalSessionAccess
{
    public const string NoSuchSession = "No such terminal session.";

    public static async Task<Result<TerminalSessionView>> LoadAsync(IQuerySession session, Actor actor, Guid id, CancellationToken ct)
    {
        var view = await session.LoadAsync<TerminalSessionView>(id, ct);
        return view is not null && (actor.CanReadEverything || view.UserId == actor.UserId) ? view : Failure.NotFound(NoSuchSession);
    }
}

public static class ListTerminalSessionsHandler
{
    public static async Task<Result<Page<TerminalSessionView>>> Handle(ListTerminalSessions query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var sessions = session.Query<TerminalSessionView>().AsQueryable();
        if (!actor.CanReadEverything) sessions = sessions.Where(s => s.UserId == actor.UserId);
        return await Paging.ToPageAsync(sessions.OrderByDescending(s => s.StartedAt), query.Page, query.PageSize, ct);
    }
}

public static class GetTerminalSessionHandler
{
    public static Task<Result<TerminalSessionView>> Handle(GetTerminalSession query, Actor actor, IQuerySession session, CancellationToken ct) =>
        TerminalSessionAccess.LoadAsync(session, actor, query.SessionId, ct);
}

public static class GetTerminalRecordingHandler
{
    public static async Task<Result<TerminalRecordingFile>> Handle(GetTerminalRecording query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var view = await TerminalSessionAccess.LoadAsync(session, actor, query.SessionId, ct);
        if (view.Failure is { } failure) return failure;
        var recording = await session.LoadAsync<TerminalRecording>(query.SessionId, ct);
        if (recording is null) return Failure.NotFound("The session has no recording yet: it is still open.");
        var v = view.Value!;
        return new TerminalRecordingFile($"terminal-{v.Namespace}-{v.Pod}-{v.StartedAt:yyyyMMdd-HHmmss}.cast", recording.Cast, recording.Truncated);
    }
}
