using System.Security.Cryptography;
using System.Text;

namespace Cocktail.Domain.Common;

/// <summary>Stream ids derived from another id (a cluster's allocation, a workspace's policy), so any handler can find them.</summary>
public static class DerivedIds
{
    public static Guid From(string purpose, Guid source)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(purpose + source));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // a valid RFC 9562 "custom" (v8) uuid
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
