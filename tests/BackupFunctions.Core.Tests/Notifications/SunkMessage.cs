using MimeKit;

namespace BackupFunctions.Core.Tests.Notifications;

/// <summary>A message the sink accepted, with what its envelope said and how the session went.</summary>
public sealed record SunkMessage(MimeMessage Message, string MailFrom, IReadOnlyList<string> RcptTos, bool Tls, bool Authenticated)
{
    public string Text => Message.TextBody ?? "";
}
