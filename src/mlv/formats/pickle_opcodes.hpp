#pragma once

// Private to the formats module: pickle opcodes of protocols 0 to 5, as CPython's
// Lib/pickle.py and Modules/_pickle.c define them.

namespace mlv::formats::opcode {

// Protocol 0 (text) and 1 (binary).
constexpr unsigned char MARK = '(';
constexpr unsigned char STOP = '.';
constexpr unsigned char POP = '0';
constexpr unsigned char POP_MARK = '1';
constexpr unsigned char DUP = '2';
constexpr unsigned char FLOAT = 'F';
constexpr unsigned char INT = 'I';
constexpr unsigned char BININT = 'J';
constexpr unsigned char BININT1 = 'K';
constexpr unsigned char LONG = 'L';
constexpr unsigned char BININT2 = 'M';
constexpr unsigned char NONE = 'N';
constexpr unsigned char PERSID = 'P';
constexpr unsigned char BINPERSID = 'Q';
constexpr unsigned char REDUCE = 'R';
constexpr unsigned char STRING = 'S';
constexpr unsigned char BINSTRING = 'T';
constexpr unsigned char SHORT_BINSTRING = 'U';
constexpr unsigned char UNICODE = 'V';
constexpr unsigned char BINUNICODE = 'X';
constexpr unsigned char APPEND = 'a';
constexpr unsigned char BUILD = 'b';
constexpr unsigned char GLOBAL = 'c';
constexpr unsigned char DICT = 'd';
constexpr unsigned char EMPTY_DICT = '}';
constexpr unsigned char APPENDS = 'e';
constexpr unsigned char GET = 'g';
constexpr unsigned char BINGET = 'h';
constexpr unsigned char INST = 'i';
constexpr unsigned char LONG_BINGET = 'j';
constexpr unsigned char LIST = 'l';
constexpr unsigned char EMPTY_LIST = ']';
constexpr unsigned char OBJ = 'o';
constexpr unsigned char PUT = 'p';
constexpr unsigned char BINPUT = 'q';
constexpr unsigned char LONG_BINPUT = 'r';
constexpr unsigned char SETITEM = 's';
constexpr unsigned char TUPLE = 't';
constexpr unsigned char EMPTY_TUPLE = ')';
constexpr unsigned char SETITEMS = 'u';
constexpr unsigned char BINFLOAT = 'G';

// Protocol 2.
constexpr unsigned char PROTO = 0x80;
constexpr unsigned char NEWOBJ = 0x81;
constexpr unsigned char EXT1 = 0x82;
constexpr unsigned char EXT2 = 0x83;
constexpr unsigned char EXT4 = 0x84;
constexpr unsigned char TUPLE1 = 0x85;
constexpr unsigned char TUPLE2 = 0x86;
constexpr unsigned char TUPLE3 = 0x87;
constexpr unsigned char NEWTRUE = 0x88;
constexpr unsigned char NEWFALSE = 0x89;
constexpr unsigned char LONG1 = 0x8a;
constexpr unsigned char LONG4 = 0x8b;

// Protocol 3.
constexpr unsigned char BINBYTES = 'B';
constexpr unsigned char SHORT_BINBYTES = 'C';

// Protocol 4.
constexpr unsigned char SHORT_BINUNICODE = 0x8c;
constexpr unsigned char BINUNICODE8 = 0x8d;
constexpr unsigned char BINBYTES8 = 0x8e;
constexpr unsigned char EMPTY_SET = 0x8f;
constexpr unsigned char ADDITEMS = 0x90;
constexpr unsigned char FROZENSET = 0x91;
constexpr unsigned char NEWOBJ_EX = 0x92;
constexpr unsigned char STACK_GLOBAL = 0x93;
constexpr unsigned char MEMOIZE = 0x94;
constexpr unsigned char FRAME = 0x95;

// Protocol 5.
constexpr unsigned char BYTEARRAY8 = 0x96;
constexpr unsigned char NEXT_BUFFER = 0x97;
constexpr unsigned char READONLY_BUFFER = 0x98;

constexpr int k_highest_protocol = 5;

} // namespace mlv::formats::opcode
