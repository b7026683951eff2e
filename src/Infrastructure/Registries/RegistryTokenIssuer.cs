using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cocktail.Application.Registries;
using Cocktail.Domain.Registries;
using Marten;
using JasperFx;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Cocktail.Infrastructure.Registries;

/// <summary>
/// Signs Docker Registry v2 bearer tokens (ES256 JWTs with the <c>access</c> claim). The key is made by the first
/// replica that needs it and read by the others from PostgreSQL. Written by hand rather than through a JWT library:
/// the token is four fixed claims and an array, it is on the path of every registry request, and nothing is parsed.
/// </summary>
public sealed class RegistryTokenIssuer : IRegistryTokenIssuer, IDisposable
{
    const string Purpose = "Cocktail.RegistrySigningKey.v1";
    readonly Lazy<Task<RegistrySigningKey>> _loading;
    readonly IOptions<RegistryOptions> _options;
    readonly TimeProvider _clock;

    public RegistryTokenIssuer(IDocumentStore store, IDataProtectionProvider protection, IOptions<RegistryOptions> options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        var protector = protection.CreateProtector(Purpose);
        _loading = new Lazy<Task<RegistrySigningKey>>(() => LoadOrCreateAsync(store, protector, clock), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string CertificatePem => Key.CertificatePem;

    public string KeyId => Key.KeyId;

    /// <summary>Loads (or makes) the key; the host does it at start, so that no token request waits for it.</summary>
    public Task LoadAsync() => _loading.Value;

    /// <summary>Loaded at start; a caller earlier than that waits once for the load.</summary>
    RegistrySigningKey Key => _loading.Value.IsCompletedSuccessfully ? _loading.Value.Result : _loading.Value.GetAwaiter().GetResult();

    public string Issue(string subject, IReadOnlyList<RegistryAccess> access, TimeSpan? lifetime = null)
    {
        var key = Key;
        var options = _options.Value;
        var now = _clock.GetUtcNow();
        var buffer = new ArrayBufferWriter<byte>(512);
        AppendBase64Url(buffer, Header(key.KeyId));
        buffer.Write("."u8);
        AppendBase64Url(buffer, Payload(options, subject, access, now, lifetime ?? options.TokenLifetime));
        var signingInput = buffer.WrittenSpan;
        // JWS ES256 is the raw r||s pair (IEEE P1363), which is .NET's default signature format for ECDsa.
        var signature = key.Key.SignData(signingInput, HashAlgorithmName.SHA256);
        buffer.Write("."u8);
        AppendBase64Url(buffer, signature);
        return Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    static byte[] Header(string keyId)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("typ", "JWT");
            json.WriteString("alg", "ES256");
            json.WriteString("kid", keyId);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static byte[] Payload(RegistryOptions options, string subject, IReadOnlyList<RegistryAccess> access, DateTimeOffset now, TimeSpan lifetime)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            var issuedAt = now.ToUnixTimeSeconds();
            json.WriteStartObject();
            json.WriteString("iss", options.Issuer);
            json.WriteString("sub", subject);
            // One audience as a string: Distribution 2.8 reads "aud" as a string.
            json.WriteString("aud", options.Service);
            json.WriteNumber("exp", issuedAt + (long)Math.Ceiling(lifetime.TotalSeconds));
            // A second back, for a registry whose clock is a little behind ours (it allows a minute anyway).
            json.WriteNumber("nbf", issuedAt - 1);
            json.WriteNumber("iat", issuedAt);
            json.WriteString("jti", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
            json.WriteStartArray("access");
            foreach (var entry in access)
            {
                json.WriteStartObject();
                json.WriteString("type", entry.Type);
                json.WriteString("name", entry.Name);
                json.WriteStartArray("actions");
                foreach (var action in entry.Actions) json.WriteStringValue(action);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static void AppendBase64Url(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> data)
    {
        var span = buffer.GetSpan(Base64Url.GetEncodedLength(data.Length));
        var written = Base64Url.EncodeToUtf8(data, span);
        buffer.Advance(written);
    }

    static async Task<RegistrySigningKey> LoadOrCreateAsync(IDocumentStore store, IDataProtector protector, TimeProvider clock)
    {
        await using (var query = store.QuerySession())
        {
            if (await query.LoadAsync<RegistrySigningKeyDocument>(RegistrySigningKeyDocument.CurrentId) is { } existing)
                return RegistrySigningKey.FromPem(protector.Unprotect(existing.ProtectedPrivateKey), existing.CertificatePem);
        }
        var created = RegistrySigningKey.Create(clock.GetUtcNow());
        try
        {
            await using var session = store.LightweightSession();
            session.Insert(new RegistrySigningKeyDocument
            {
                ProtectedPrivateKey = protector.Protect(created.PrivateKeyPem()),
                CertificatePem = created.CertificatePem,
                CreatedAt = clock.GetUtcNow(),
            });
            await session.SaveChangesAsync();
            return created;
        }
        catch (DocumentAlreadyExistsException)
        {
            // Another replica made one first: everybody signs with the stored key.
            created.Dispose();
            await using var query = store.QuerySession();
            var stored = (await query.LoadAsync<RegistrySigningKeyDocument>(RegistrySigningKeyDocument.CurrentId))!;
            return RegistrySigningKey.FromPem(protector.Unprotect(stored.ProtectedPrivateKey), stored.CertificatePem);
        }
    }

    public void Dispose()
    {
        if (_loading.IsValueCreated && _loading.Value.IsCompletedSuccessfully) _loading.Value.Result.Dispose();
    }
}
