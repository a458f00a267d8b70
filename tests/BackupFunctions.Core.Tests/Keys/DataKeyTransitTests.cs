using System.Security.Cryptography;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Tests.Keys;

public sealed class DataKeyTransitTests
{
    private static readonly byte[] DataKey = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void A_sealed_data_key_opens_for_its_backup_and_never_shows_the_key()
    {
        var transit = new DataKeyTransit(RandomNumberGenerator.GetBytes(32));
        var sealedKey = transit.Seal(DataKey, "backup-1");

        Assert.DoesNotContain(Convert.ToBase64String(DataKey), sealedKey, StringComparison.Ordinal);
        Assert.Equal(DataKey, transit.Open(sealedKey, "backup-1"));
        Assert.NotEqual(sealedKey, transit.Seal(DataKey, "backup-1"));
    }

    [Fact]
    public void Another_backup_another_transit_key_or_an_edited_value_is_refused()
    {
        var transit = new DataKeyTransit(RandomNumberGenerator.GetBytes(32));
        var sealedKey = transit.Seal(DataKey, "backup-1");
        var edited = Convert.FromBase64String(sealedKey);
        edited[20] ^= 1;

        Assert.Throws<IntegrityException>(() => transit.Open(sealedKey, "backup-2"));
        Assert.Throws<IntegrityException>(() => new DataKeyTransit(RandomNumberGenerator.GetBytes(32)).Open(sealedKey, "backup-1"));
        Assert.Throws<IntegrityException>(() => transit.Open(Convert.ToBase64String(edited), "backup-1"));
        Assert.Throws<IntegrityException>(() => transit.Open("not base64!", "backup-1"));
    }

    [Fact]
    public void The_setting_must_hold_32_bytes_of_base64()
    {
        Assert.Throws<ArgumentException>(() => DataKeyTransit.FromBase64("c2hvcnQ="));
        Assert.Throws<ArgumentException>(() => DataKeyTransit.FromBase64("%%%"));
        Assert.NotNull(DataKeyTransit.FromBase64(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
    }
}
