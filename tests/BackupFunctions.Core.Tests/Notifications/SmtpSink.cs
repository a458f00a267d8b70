using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MimeKit;

namespace BackupFunctions.Core.Tests.Notifications;

/// <summary>
/// The SMTP sink of the test run (scripts/servers/smtp-sink.sh exports BF_TEST_SMTP_*); the defaults match the dev
/// server started with <c>bf_start_smtp_sink /tmp/bfdev/smtp-sink</c>. It requires STARTTLS and writes each message it
/// accepts to the mail folder as &lt;n&gt;.eml with &lt;n&gt;.json (envelope, tls, authenticated) beside it.
/// </summary>
public static class SmtpSink
{
    public static string Host => Variable("BF_TEST_SMTP_HOST", "127.0.0.1");

    public static int Port => int.Parse(Variable("BF_TEST_SMTP_PORT", "2525"), System.Globalization.CultureInfo.InvariantCulture);

    public static string MailDir => Variable("BF_TEST_SMTP_MAILDIR", "/tmp/bfdev/smtp-sink/mail");

    public static string User => Variable("BF_TEST_SMTP_USER", "notify");

    public static string Password => Variable("BF_TEST_SMTP_PASSWORD", "Smtp-pass1");

    /// <summary>SHA-256 (hex) of the sink's self-signed certificate.</summary>
    public static string CertificateSha256 =>
        Environment.GetEnvironmentVariable("BF_TEST_SMTP_CERT_SHA256") is { Length: > 0 } pinned
            ? pinned
            : Convert.ToHexString(SHA256.HashData(X509CertificateLoader.LoadCertificateFromFile(
                Variable("BF_TEST_SMTP_CERT_FILE", "/tmp/bfdev/smtp-sink/server.crt")).RawData));

    /// <summary>The messages sent to <paramref name="recipient"/> so far.</summary>
    public static IReadOnlyList<SunkMessage> MessagesTo(string recipient)
    {
        var found = new List<SunkMessage>();
        foreach (var metaFile in Directory.EnumerateFiles(MailDir, "*.json").Order(StringComparer.Ordinal))
        {
            using var meta = JsonDocument.Parse(File.ReadAllBytes(metaFile));
            var root = meta.RootElement;
            var to = root.GetProperty("rcptTos").EnumerateArray().Select(r => r.GetString()!).ToList();
            if (!to.Contains(recipient, StringComparer.OrdinalIgnoreCase))
                continue;
            found.Add(new SunkMessage(
                MimeMessage.Load(Path.ChangeExtension(metaFile, ".eml")),
                root.GetProperty("mailFrom").GetString()!,
                to,
                root.GetProperty("tls").GetBoolean(),
                root.GetProperty("authenticated").GetBoolean()));
        }
        return found;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages to <paramref name="recipient"/> arrived (or the timeout passed).</summary>
    public static async Task<IReadOnlyList<SunkMessage>> WaitForAsync(string recipient, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<SunkMessage> messages;
        while ((messages = MessagesTo(recipient)).Count < count && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return messages;
    }

    /// <summary>An address nobody else's test sends to.</summary>
    public static string UniqueRecipient(string name) => $"{name}-{Guid.NewGuid():N}@example.test";

    private static string Variable(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
