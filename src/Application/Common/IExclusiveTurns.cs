namespace Cocktail.Application.Common;

/// <summary>
/// One holder at a time, across every replica, for work on one object that must not overlap with itself (reconciling a
/// service map or a workload: the run that read older settings must not finish last and put them back on the
/// cluster). A replica that dies gives its turns back with it.
/// </summary>
public interface IExclusiveTurns
{
    /// <summary>Waits for the object's turn; disposing the answer gives it back.</summary>
    Task<IAsyncDisposable> TakeAsync(string kind, Guid id, CancellationToken ct);
}

/// <summary>
/// The turn did not come within the wait allowed: another holder has kept it long. Not a bug: the work is tried again
/// later (a Wolverine policy), when the turn is likely free.
/// </summary>
public sealed class TurnNotTakenException(string kind, Guid id, Exception inner)
    : TimeoutException($"The {kind} {id} is busy with other work; its turn did not come in time.", inner);
