using Cocktail.Application.Common;
using JasperFx;
using Marten.Exceptions;
using Npgsql;
using Wolverine;
using Wolverine.ErrorHandling;

namespace Cocktail.Infrastructure.Messaging;

/// <summary>
/// Wolverine's error handling for every handler, by exception type. Only lost races are retried: the handler runs again
/// on fresh state and usually decides differently (the stream moved on, the stream now exists). Commands sent through
/// the dispatcher are retried inline, and a conflict still standing afterwards is answered 409; a reconciler's message
/// is retried the same way. Any other exception is a bug: it is not retried as if it were a conflict.
/// </summary>
internal static class ConflictPolicies
{
    /// <summary>Short, growing pauses: the other transaction has usually committed within milliseconds.</summary>
    private static readonly TimeSpan[] Cooldowns =
        [TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500)];

    /// <summary>A turn held for minutes by someone else: the message comes back later instead of waiting again now.</summary>
    private static readonly TimeSpan[] TurnRetries = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    public static void RetryLostRaces(this WolverineOptions options)
    {
        // Another transaction appended to the same stream first (a stale expected version, Marten's optimistic append,
        // DCB), started the same stream first, or PostgreSQL picked this transaction as the loser (40001, 40P01).
        options.Policies.OnException<ConcurrencyException>()
            .Or<ExistingStreamIdCollisionException>()
            .Or<JasperFx.Events.ExistingStreamIdCollisionException>()
            .Or<PostgresException>(ConflictExceptions.IsLostRace)
            .Or<MartenCommandException>(e => e.InnerException is PostgresException lost && ConflictExceptions.IsLostRace(lost))
            .RetryWithCooldown(Cooldowns);

        options.Policies.OnException<TurnNotTakenException>().ScheduleRetry(TurnRetries);
    }
}
