using Npgsql;

namespace Cocktail.Application.Common;

/// <summary>Recognises the storage failures that mean "someone else got there first" so they become 409, not 500.</summary>
public static class ConflictExceptions
{
    private static readonly HashSet<string> ConcurrencyTypes =
    [
        "ConcurrencyException", "EventStreamUnexpectedMaxEventIdException", "DcbConcurrencyException",
    ];

    private static readonly HashSet<string> DuplicateTypes =
    [
        "ExistingStreamIdCollisionException", "DocumentAlreadyExistsException",
    ];

    /// <summary>Another transaction appended to the same stream first: deciding again on fresh state may well succeed.</summary>
    public static bool IsConcurrency(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (ConcurrencyTypes.Contains(e.GetType().Name)) return true;
        return false;
    }

    public static Failure? ToFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var name = e.GetType().Name;
            if (ConcurrencyTypes.Contains(name))
                return Failure.Conflict("Someone else changed this in the meantime. Reload it and try again.");
            if (DuplicateTypes.Contains(name) || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
                return Failure.Conflict("It already exists.");
        }
        return null;
    }
}
