using System.Buffers.Binary;
using Cocktail.Application.Common;
using Npgsql;

namespace Cocktail.Infrastructure.Messaging;

/// <summary>
/// Turns as PostgreSQL session-level advisory locks (the two-integer form: the kind, and the object's id folded to
/// 32 bits), held on a connection of their own for as long as the turn. The lock goes with the session, so a
/// replica that is killed while holding one gives it back at once. Two ids that fold alike only wait for each other.
/// </summary>
public sealed class PostgresTurns(NpgsqlDataSource dataSource) : IExclusiveTurns
{
    public async Task<IAsyncDisposable> TakeAsync(string kind, Guid id, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        var (classId, objectId) = (Fold(kind), Fold(id));
        try
        {
            await using var take = new NpgsqlCommand("select pg_advisory_lock($1, $2)", connection) { CommandTimeout = 300 };
            take.Parameters.Add(new NpgsqlParameter { Value = classId });
            take.Parameters.Add(new NpgsqlParameter { Value = objectId });
            await take.ExecuteNonQueryAsync(ct);
            return new Held(connection, classId, objectId);
        }
        catch (Exception e)
        {
            // Cancelled or timed out while waiting: the lock may have been granted meanwhile, so the session must not go
            // back to the pool.
            NpgsqlConnection.ClearPool(connection);
            await connection.DisposeAsync();
            if (e is NpgsqlException { InnerException: TimeoutException } && !ct.IsCancellationRequested)
                throw new TurnNotTakenException(kind, id, e);
            throw;
        }
    }

    private static int Fold(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        return BinaryPrimitives.ReadInt32LittleEndian(bytes) ^ BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]) ^
               BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]) ^ BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
    }

    /// <summary>FNV-1a: stable across processes and versions, unlike string.GetHashCode.</summary>
    private static int Fold(string kind)
    {
        var hash = 2166136261u;
        foreach (var c in kind) hash = (hash ^ c) * 16777619u;
        return unchecked((int)hash);
    }

    private sealed class Held(NpgsqlConnection connection, int classId, int objectId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = new NpgsqlCommand("select pg_advisory_unlock($1, $2)", connection) { CommandTimeout = 5 };
                release.Parameters.Add(new NpgsqlParameter { Value = classId });
                release.Parameters.Add(new NpgsqlParameter { Value = objectId });
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // Not confirmed: close the session rather than lend a locked one to someone else.
                NpgsqlConnection.ClearPool(connection);
            }
            await connection.DisposeAsync();
        }
    }
}
