using JasperFx;
using Npgsql;

namespace Cocktail.Application.Common;

/// <summary>
/// The storage failures that mean "someone else got there first", by type. Wolverine retries them (the policies in
/// Infrastructure's messaging set-up); those still failing once the retries are spent become a 409, not a 500.
/// Anything else is a bug and is neither retried nor dressed up as a conflict.
/// </summary>
public static class ConflictExceptions
{
    /// <summary>What a conflict still standing after the retries is, for the console and the API.</summary>
    public static Failure? ToFailure(Exception exception) => Find(exception) switch
    {
        Kind.Concurrency => Failure.Conflict("Someone else changed this in the meantime. Reload it and try again."),
        Kind.Duplicate => Failure.Conflict("It already exists."),
        _ => null,
    };

    /// <summary>PostgreSQL's serialization failure (40001) and deadlock (40P01): the transaction lost a race.</summary>
    public static bool IsLostRace(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    private enum Kind { None, Concurrency, Duplicate }

    private static Kind Find(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ConcurrencyException: // Marten's stale expected version, EventStreamUnexpectedMaxEventId, DCB
                case PostgresException lost when IsLostRace(lost):
                    return Kind.Concurrency;
                case Marten.Exceptions.ExistingStreamIdCollisionException:
                case JasperFx.Events.ExistingStreamIdCollisionException:
                case DocumentAlreadyExistsException:
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }:
                    return Kind.Duplicate;
            }
        }
        return Kind.None;
    }
}
