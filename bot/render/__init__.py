"""What every channel does to a reply before a person reads it: French typography, titled links."""
